//go:build darwin

package main

// macOS does not put the documents a person opens with the app in argv: it
// sends an "open documents" Apple event, which NSApplication hands to its
// delegate's application:openURLs:. GLFW's delegate (GLFWApplicationDelegate)
// has no such method, so it is added here, at load time — before GLFW starts
// the application, so that the document of the launch itself is not missed.
//
// NOT RUN: this cannot be compiled or run on the Linux build machine (cgo for
// darwin needs Apple's SDK); it is written for the macOS release runner.
// The same holds for the Services-menu provider below.

/*
#cgo CFLAGS: -x objective-c
#cgo LDFLAGS: -framework Cocoa
#import <Cocoa/Cocoa.h>
#import <objc/runtime.h>

extern void certignaOpened(char *path);

static void certignaOpenURLs(id self, SEL _cmd, NSApplication *app, NSArray<NSURL *> *urls) {
	for (NSURL *u in urls) {
		if ([u isFileURL] && [u path] != nil) {
			certignaOpened((char *)[[u path] fileSystemRepresentation]);
		}
	}
}

// The "Signer avec Certigna" service (NSServices in Info.plist, written by
// packaging/macos/infoplist.py): the Finder puts the selected PDFs on a
// pasteboard and calls signPDF:userData:error:.
@interface CertignaServices : NSObject
- (void)signPDF:(NSPasteboard *)pboard userData:(NSString *)userData error:(NSString **)error;
@end

@implementation CertignaServices
- (void)signPDF:(NSPasteboard *)pboard userData:(NSString *)userData error:(NSString **)error {
	NSArray *urls = [pboard readObjectsForClasses:@[ [NSURL class] ]
	                                      options:@{NSPasteboardURLReadingFileURLsOnlyKey : @YES}];
	for (NSURL *u in urls) {
		if ([u path] != nil) {
			certignaOpened((char *)[[u path] fileSystemRepresentation]);
		}
	}
}
@end

static void certignaInstallServices(void) {
	dispatch_async(dispatch_get_main_queue(), ^{
		static CertignaServices *provider;
		provider = [CertignaServices new];
		[NSApp setServicesProvider:provider];
		NSUpdateDynamicServices();
	});
}

static void certignaInstallOpenHandler(void) {
	Class c = objc_getClass("GLFWApplicationDelegate");
	if (c != Nil) {
		class_addMethod(c, @selector(application:openURLs:), (IMP)certignaOpenURLs, "v@:@@");
	}
}
*/
import "C"

func init() {
	C.certignaInstallOpenHandler()
	platformStarted = func() { C.certignaInstallServices() }
}

//export certignaOpened
func certignaOpened(path *C.char) { systemOpened(C.GoString(path)) }
