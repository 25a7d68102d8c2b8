package main

import (
	"os"

	"github.com/certigna-desktop/app/token"
)

// probe-module is run by discovery, as a child of this same binary, to try
// one PKCS#11 library: a library that crashes or hangs in its own
// initialisation takes down this child, not the app. It prints one JSON
// object (token.ProbeResult) on stdout.
func init() {
	if exe, err := os.Executable(); err == nil {
		token.SetProbeCommand(exe, "probe-module")
		// Every PKCS#11 library the app uses runs in a pkcs11-worker child:
		// a driver crashing in C_Login or C_Sign ends that child, and the
		// window or the CLI reports it (token.KindDriverCrashed).
		token.SetWorkerCommand(exe, "pkcs11-worker")
	}
}

// pkcs11-worker PATH: the child side of token.SetWorkerCommand. It speaks
// the token package's framed protocol on stdin/stdout; the PIN comes
// through that pipe, never argv or the environment.
func runPKCS11Worker(env *Env, args []string) int {
	if len(args) != 1 {
		return env.fail(exitUsage, env.T("cli.bad_flag", map[string]any{"Err": "pkcs11-worker PATH"}))
	}
	return token.WorkerServe(args[0])
}

func runProbeModule(env *Env, args []string) int {
	fs := newFlagSet("probe-module")
	pos, code, ok := parseFlags(env, fs, args)
	if !ok {
		return code
	}
	if len(pos) != 1 {
		return env.fail(exitUsage, env.T("cli.bad_flag", map[string]any{"Err": "probe-module PATH"}))
	}
	return token.ProbeMain(pos[0], env.Stdout)
}
