/* A tiny PKCS#11 module for tests that need a misbehaving vendor library:
 * built by testtoken.BuildShim with gcc and one of
 *   -DHANG_INITIALIZE -DHANG_SLOTLIST -DHANG_LOGIN -DHANG_SETPIN
 *                                                    the call waits until RELEASE_FILE exists
 *   -DNULL_LIST                                      C_GetFunctionList gives a NULL list
 *   -DCRASH_INITIALIZE                               C_Initialize dereferences NULL
 *   -DCHATTY                                         C_Initialize prints a banner on stdout
 *   -DWRAP -DREAL_MODULE="..." -DCRASH_LOGIN|-DCRASH_SIGN|-DLOGIN_PIN_NOT_INIT
 *                                                    the real module's functions, but C_Login or
 *                                                    C_Sign dereferences NULL (a driver crashing
 *                                                    after the PIN, or while the card signs), or
 *                                                    C_Login answers USER_PIN_NOT_INITIALIZED
 * Without them it is a one-slot token ("Shim Token", PIN 4..8) that refuses
 * every PIN and holds no object. No software token behaves like this: it is
 * a test double of a broken middleware, and says so. */
#include <stddef.h>
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <stdio.h>
#include "pkcs11go.h"

#ifndef RELEASE_FILE
#define RELEASE_FILE "/nonexistent"
#endif

/* note appends the name of a PIN call to RELEASE_FILE.calls, unbuffered:
 * a witness that survives the process being killed in the call (pkcs11-spy's
 * buffered log does not). */
static void note(const char *name) {
	FILE *f = fopen(RELEASE_FILE ".calls", "a");
	if (!f) return;
	fprintf(f, "%s\n", name);
	fclose(f);
}

static void wait_release(void) {
	while (access(RELEASE_FILE, F_OK) != 0)
		usleep(10000);
}

static void pad(CK_UTF8CHAR *dst, const char *src, size_t n) {
	memset(dst, ' ', n);
	memcpy(dst, src, strlen(src) < n ? strlen(src) : n);
}

static CK_RV stub(void) { return CKR_FUNCTION_NOT_SUPPORTED; }

static CK_RV s_Initialize(CK_VOID_PTR a) {
	(void)a;
#ifdef CRASH_INITIALIZE
	volatile int *p = NULL;
	*p = 1;
#endif
#ifdef HANG_INITIALIZE
	wait_release();
#endif
#ifdef CHATTY
	printf("Vendor PKCS#11 v1.2 {\"ready\": true}\n");
	fflush(stdout);
#endif
	return CKR_OK;
}
static CK_RV s_Finalize(CK_VOID_PTR a) { (void)a; return CKR_OK; }
static CK_RV s_GetInfo(CK_INFO_PTR i) {
	memset(i, 0, sizeof(*i));
	i->cryptokiVersion.major = 2; i->cryptokiVersion.minor = 40;
	pad(i->manufacturerID, "Certigna Test Shim", 32);
	pad(i->libraryDescription, "misbehaving module", 32);
	i->libraryVersion.major = 1; i->libraryVersion.minor = 2;
	return CKR_OK;
}
static CK_RV s_GetSlotList(CK_BBOOL present, CK_SLOT_ID_PTR l, CK_ULONG_PTR n) {
	(void)present;
#ifdef HANG_SLOTLIST
	wait_release();
#endif
	if (l) { if (*n < 1) { *n = 1; return CKR_BUFFER_TOO_SMALL; } l[0] = 1; }
	*n = 1;
	return CKR_OK;
}
static CK_RV s_GetSlotInfo(CK_SLOT_ID s, CK_SLOT_INFO_PTR i) {
	if (s != 1) return CKR_SLOT_ID_INVALID;
	memset(i, 0, sizeof(*i));
	pad(i->slotDescription, "Shim Reader 00", 64);
	pad(i->manufacturerID, "Shim", 32);
	i->flags = CKF_TOKEN_PRESENT | CKF_REMOVABLE_DEVICE | CKF_HW_SLOT;
	return CKR_OK;
}
static CK_RV s_GetTokenInfo(CK_SLOT_ID s, CK_TOKEN_INFO_PTR i) {
	if (s != 1) return CKR_SLOT_ID_INVALID;
	memset(i, 0, sizeof(*i));
	pad(i->label, "Shim Token", 32);
	pad(i->manufacturerID, "Shim Cards", 32);
	pad(i->model, "Shim 1", 16);
	pad(i->serialNumber, "5H1M0001", 16);
	i->flags = CKF_TOKEN_INITIALIZED | CKF_USER_PIN_INITIALIZED | CKF_LOGIN_REQUIRED;
	i->ulMinPinLen = 4; i->ulMaxPinLen = 8;
	i->hardwareVersion.major = 3; i->firmwareVersion.major = 4; i->firmwareVersion.minor = 5;
	return CKR_OK;
}
static CK_RV s_OpenSession(CK_SLOT_ID s, CK_FLAGS f, CK_VOID_PTR a, CK_NOTIFY n, CK_SESSION_HANDLE_PTR h) {
	(void)f; (void)a; (void)n;
	if (s != 1) return CKR_SLOT_ID_INVALID;
	*h = 7;
	return CKR_OK;
}
static CK_RV s_CloseSession(CK_SESSION_HANDLE h) { (void)h; return CKR_OK; }
static CK_RV s_Login(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n) {
	(void)h; (void)u; (void)p; (void)n;
	note("C_Login");
#ifdef HANG_LOGIN
	wait_release();
#endif
	return CKR_PIN_INCORRECT;
}
static CK_RV s_SetPIN(CK_SESSION_HANDLE h, CK_UTF8CHAR_PTR o, CK_ULONG on, CK_UTF8CHAR_PTR n, CK_ULONG nn) {
	(void)h; (void)o; (void)on; (void)n; (void)nn;
	note("C_SetPIN");
#ifdef HANG_SETPIN
	wait_release();
#endif
	return CKR_PIN_INCORRECT;
}
static CK_RV s_Logout(CK_SESSION_HANDLE h) { (void)h; return CKR_USER_NOT_LOGGED_IN; }
static CK_RV s_FindObjectsInit(CK_SESSION_HANDLE h, CK_ATTRIBUTE_PTR t, CK_ULONG n) { (void)h; (void)t; (void)n; return CKR_OK; }
static CK_RV s_FindObjects(CK_SESSION_HANDLE h, CK_OBJECT_HANDLE_PTR o, CK_ULONG m, CK_ULONG_PTR n) { (void)h; (void)o; (void)m; *n = 0; return CKR_OK; }
static CK_RV s_FindObjectsFinal(CK_SESSION_HANDLE h) { (void)h; return CKR_OK; }

static CK_FUNCTION_LIST list;

#ifdef WRAP
#include <dlfcn.h>
static CK_FUNCTION_LIST wrapped;
static CK_RV w_crash(void) {
	volatile int *p = NULL;
	*p = 1;
	return CKR_OK;
}
static CK_RV w_pin_not_init(CK_SESSION_HANDLE h, CK_USER_TYPE u, CK_UTF8CHAR_PTR p, CK_ULONG n) {
	(void)h; (void)u; (void)p; (void)n;
	return CKR_USER_PIN_NOT_INITIALIZED;
}
#endif

CK_RV C_GetFunctionList(CK_FUNCTION_LIST_PTR_PTR pp) {
#ifdef WRAP
	void *h = dlopen(REAL_MODULE, RTLD_NOW | RTLD_LOCAL);
	if (!h) return CKR_GENERAL_ERROR;
	CK_RV (*get)(CK_FUNCTION_LIST_PTR_PTR) = (CK_RV (*)(CK_FUNCTION_LIST_PTR_PTR))dlsym(h, "C_GetFunctionList");
	CK_FUNCTION_LIST_PTR real = NULL;
	if (!get || get(&real) != CKR_OK || !real) return CKR_GENERAL_ERROR;
	wrapped = *real;
	wrapped.C_GetFunctionList = C_GetFunctionList;
#ifdef CRASH_LOGIN
	*(void **)&wrapped.C_Login = (void *)w_crash;
#endif
#ifdef CRASH_SIGN
	*(void **)&wrapped.C_Sign = (void *)w_crash;
#endif
#ifdef LOGIN_PIN_NOT_INIT
	wrapped.C_Login = w_pin_not_init;
#endif
	*pp = &wrapped;
	return CKR_OK;
#endif
	void **f = (void **)&list.C_Initialize;
	size_t n = (sizeof(list) - offsetof(CK_FUNCTION_LIST, C_Initialize)) / sizeof(void *);
	for (size_t i = 0; i < n; i++)
		f[i] = (void *)stub;
	list.version.major = 2; list.version.minor = 40;
	list.C_Initialize = s_Initialize;
	list.C_Finalize = s_Finalize;
	list.C_GetInfo = s_GetInfo;
	list.C_GetFunctionList = C_GetFunctionList;
	list.C_GetSlotList = s_GetSlotList;
	list.C_GetSlotInfo = s_GetSlotInfo;
	list.C_GetTokenInfo = s_GetTokenInfo;
	list.C_OpenSession = s_OpenSession;
	list.C_CloseSession = s_CloseSession;
	list.C_Login = s_Login;
	list.C_Logout = s_Logout;
	list.C_SetPIN = s_SetPIN;
	list.C_FindObjectsInit = s_FindObjectsInit;
	list.C_FindObjects = s_FindObjects;
	list.C_FindObjectsFinal = s_FindObjectsFinal;
#ifdef NULL_LIST
	*pp = NULL;
#else
	*pp = &list;
#endif
	return CKR_OK;
}
