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

static void certignaInstallOpenHandler(void) {
	Class c = objc_getClass("GLFWApplicationDelegate");
	if (c != Nil) {
		class_addMethod(c, @selector(application:openURLs:), (IMP)certignaOpenURLs, "v@:@@");
	}
}
*/
import "C"

func init() { C.certignaInstallOpenHandler() }

//export certignaOpened
func certignaOpened(path *C.char) { systemOpened(C.GoString(path)) }
