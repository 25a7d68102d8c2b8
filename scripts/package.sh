#!/usr/bin/env bash
# Build every installer into dist/ — one command:
#
#   scripts/package.sh                 # on Linux: windows + linux; on macOS: darwin
#   scripts/package.sh windows         # or any of: windows linux darwin
#
# Output (VERSION and BUILD from FyneApp.toml):
#   certigna-desktop-VERSION-windows-amd64.exe   signed PE32+ GUI exe (portable)
#   certigna-desktop-VERSION-windows-amd64.msi   signed MSI (per-machine, Start menu, upgrades older versions)
#   certigna-desktop-VERSION-linux-amd64.tar.xz  fyne package layout (bin, .desktop, icon, Makefile)
#   certigna-desktop_VERSION-BUILD_amd64.deb     Debian/Ubuntu package
#   certigna-desktop-VERSION-macos-universal.dmg signed, notarized, stapled .app (macOS runner only)
#   SHA256SUMS, SHA256SUMS.p7s                   of all of the above, and its signature
#
# Environment:
#   CERTIGNA_DIST                 output directory (default: dist). It is emptied first.
#   Code signing (exe, MSI, SHA256SUMS), one of:
#   - a key on a PKCS#11 token (release: code-signing keys live on hardware, CA/B Forum rules since 2023):
#     CERTIGNA_SIGN_PKCS11_MODULE   the token's PKCS#11 library (e.g. the vendor's, or OpenSC's opensc-pkcs11.so)
#     CERTIGNA_SIGN_PKCS11_KEY      RFC 7512 URI of the private key, without the PIN ("pkcs11:token=…;object=…")
#     CERTIGNA_SIGN_CERT            the code-signing certificate and its intermediates (PEM)
#     CERTIGNA_SIGN_PKCS11_PIN      the token's PIN (handed to the tools in a 0600 file, removed at exit; never argv)
#     CERTIGNA_SIGN_PKCS11_ENGINE   OpenSSL's pkcs11 engine (default: Debian libengine-pkcs11-openssl's)
#   - CERTIGNA_SIGN_P12 (certificate and key, PKCS#12) and CERTIGNA_SIGN_PASSWORD (its password, same 0600 file);
#   - neither: a throwaway self-signed certificate is generated (tests only).
#   CERTIGNA_SIGN_CAFILE          CA bundle for `osslsigncode verify` of a release signature (default: system store)
#   CERTIGNA_SIGN_TIMESTAMP_URL   RFC 3161 timestamp server: the signatures stay valid after the certificate expires
#   CERTIGNA_SIGN_TSA_CAFILE      CA bundle to check the timestamp with (default: CERTIGNA_SIGN_CAFILE)
#   CERTIGNA_REQUIRE_RELEASE_SIGNING=1   fail instead of falling back to a throwaway certificate or signing without
#                                 a timestamp (Windows), or to an ad-hoc signature without notarization (macOS)
#   SHA256SUMS is signed with the same key and certificate as the code (SHA256SUMS.p7s, detached CMS):
#     openssl cms -verify -binary -inform DER -in SHA256SUMS.p7s -content SHA256SUMS -CAfile CA -purpose any
#   One hardware key and one published identity for everything; no second key to keep safe.
#   CERTIGNA_XZ_LEVEL             xz level of the .tar.xz and the .deb (default 6; the test uses 1: two minutes less)
#   macOS: CERTIGNA_MACOS_IDENTITY ("Developer ID Application: …"; unset: ad-hoc signature, not distributable),
#          CERTIGNA_NOTARY_APPLE_ID, CERTIGNA_NOTARY_TEAM_ID, CERTIGNA_NOTARY_PASSWORD (app-specific password);
#          without them notarization is skipped with a warning.
#
# Go build flags are fixed on purpose: the Windows and Linux builds use default
# compile flags (only link flags differ), so they reuse the warm build cache of
# the tests instead of paying Fyne's 7-minute cold cgo build again.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
DIST=${CERTIGNA_DIST:-dist}
case $DIST in /*) ;; *) DIST=$ROOT/$DIST ;; esac
WORK=$ROOT/build/packaging
FYNE_TOOLS_VERSION=v1.7.4
XZ_LEVEL=${CERTIGNA_XZ_LEVEL:-6}
[[ $XZ_LEVEL =~ ^[0-9]$ ]] || { echo "package.sh: CERTIGNA_XZ_LEVEL must be 0-9" >&2; exit 1; }

log() { printf '==> %s\n' "$*" >&2; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'package.sh: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "missing tool '$1' (see scripts/packages/package.txt)"; }

# meta KEY: a value of FyneApp.toml's [Details] table.
meta() {
	awk -v key="$1" '
		/^\[/ { details = ($0 == "[Details]"); next }
		details {
			k = $0; sub(/[ \t]*=.*/, "", k)
			if (k == key) { v = $0; sub(/^[^=]*=[ \t]*/, "", v); gsub(/"/, "", v); print v; exit }
		}' FyneApp.toml
}

NAME=$(meta Name)
APP_ID=$(meta ID)
VERSION=$(meta Version)
BUILD=$(meta Build)
[[ $VERSION =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] || die "FyneApp.toml Version '$VERSION' is not X.Y.Z"
[[ $BUILD =~ ^[0-9]+$ ]] || die "FyneApp.toml Build '$BUILD' is not a number"
[[ -n $NAME && -n $APP_ID ]] || die "FyneApp.toml lacks Name or ID"

now() { date +%s; }
timed() { # timed LABEL CMD...: run and report the duration
	local t0 label=$1; shift
	t0=$(now)
	"$@"
	log "$label: $(($(now) - t0)) s"
}

fyne_tool() {
	local f
	f="$(go env GOPATH)/bin/fyne"
	if [[ ! -x $f ]]; then
		log "installing fyne tool $FYNE_TOOLS_VERSION"
		go install "fyne.io/tools/cmd/fyne@$FYNE_TOOLS_VERSION" >&2
	fi
	echo "$f"
}

# fyne_src DIR: a throwaway source dir for `fyne package --executable`: fyne
# wants Go code and FyneApp.toml there and rewrites the toml (bumps Build), so
# it gets a copy and the repository's file is never touched.
fyne_src() {
	rm -rf "$1" && mkdir -p "$1/assets"
	cp FyneApp.toml "$1/"
	cp assets/icon.png "$1/assets/"
	printf 'package main\n\nfunc main() {}\n' >"$1/main.go"
}

icons() {
	[[ -f $WORK/icons/certigna-desktop.ico ]] && [[ $WORK/icons/certigna-desktop.ico -nt tools/icongen/main.go ]] && return
	go run ./tools/icongen -dir "$WORK/icons"
}

# ---------------------------------------------------------------- signing --
SIGN_MODE= SIGN_P12= SIGN_PASSFILE= SIGN_CAFILE= SIGN_TSA_CAFILE= SIGN_CERT= SIGN_KEY=
setup_signing() {
	[[ -n $SIGN_MODE ]] && return
	local dir=$WORK/sign
	mkdir -p "$dir" && chmod 700 "$dir"
	SIGN_PASSFILE=$dir/password
	if [[ ${CERTIGNA_REQUIRE_RELEASE_SIGNING:-} == 1 && -z ${CERTIGNA_SIGN_TIMESTAMP_URL:-} ]]; then
		die "CERTIGNA_REQUIRE_RELEASE_SIGNING=1 but CERTIGNA_SIGN_TIMESTAMP_URL is not set"
	fi
	if [[ -n ${CERTIGNA_SIGN_PKCS11_MODULE:-} ]]; then
		[[ -f $CERTIGNA_SIGN_PKCS11_MODULE ]] || die "CERTIGNA_SIGN_PKCS11_MODULE=$CERTIGNA_SIGN_PKCS11_MODULE: no such file"
		[[ ${CERTIGNA_SIGN_PKCS11_KEY:-} == pkcs11:* ]] || die "CERTIGNA_SIGN_PKCS11_KEY must be a pkcs11: URI"
		[[ ${CERTIGNA_SIGN_PKCS11_KEY:-} != *pin-value* ]] || die "CERTIGNA_SIGN_PKCS11_KEY must not carry the PIN (use CERTIGNA_SIGN_PKCS11_PIN)"
		[[ -f ${CERTIGNA_SIGN_CERT:-} ]] || die "CERTIGNA_SIGN_CERT (the code-signing certificate, PEM) is required with PKCS#11"
		SIGN_MODE=pkcs11 SIGN_KEY=$CERTIGNA_SIGN_PKCS11_KEY SIGN_CERT=$CERTIGNA_SIGN_CERT
		(umask 077 && printf '%s' "${CERTIGNA_SIGN_PKCS11_PIN:-}" >"$SIGN_PASSFILE")
		trap 'rm -f "$SIGN_PASSFILE"' EXIT # the PIN does not outlive the run
		SIGN_CAFILE=${CERTIGNA_SIGN_CAFILE:-}
		log "signing with the key on the PKCS#11 token ($(basename "$CERTIGNA_SIGN_PKCS11_MODULE"))"
	elif [[ -n ${CERTIGNA_SIGN_P12:-} ]]; then
		[[ -f $CERTIGNA_SIGN_P12 ]] || die "CERTIGNA_SIGN_P12=$CERTIGNA_SIGN_P12: no such file"
		SIGN_MODE=p12 SIGN_P12=$CERTIGNA_SIGN_P12
		(umask 077 && printf '%s' "${CERTIGNA_SIGN_PASSWORD:-}" >"$SIGN_PASSFILE")
		trap 'rm -f "$SIGN_PASSFILE"' EXIT # the release password does not outlive the run
		SIGN_CAFILE=${CERTIGNA_SIGN_CAFILE:-}
		log "signing with the release certificate from CERTIGNA_SIGN_P12"
	else
		[[ ${CERTIGNA_REQUIRE_RELEASE_SIGNING:-} == 1 ]] && die "CERTIGNA_REQUIRE_RELEASE_SIGNING=1 but neither CERTIGNA_SIGN_PKCS11_MODULE nor CERTIGNA_SIGN_P12 is set"
		warn "no signing key given: signing with a THROWAWAY self-signed certificate (tests only, not for users)"
		(umask 077 && openssl rand -hex 16 >"$SIGN_PASSFILE")
		openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 30 \
			-subj "/CN=Certigna Desktop TEST signing (throwaway)/O=Certigna Desktop build" \
			-addext "keyUsage=critical,digitalSignature" -addext "extendedKeyUsage=codeSigning" \
			-keyout "$dir/test-key.pem" -out "$dir/test-cert.pem" 2>/dev/null
		openssl pkcs12 -export -inkey "$dir/test-key.pem" -in "$dir/test-cert.pem" \
			-passout "file:$SIGN_PASSFILE" -out "$dir/test.p12"
		SIGN_MODE=p12 SIGN_P12=$dir/test.p12
		SIGN_CAFILE=$dir/test-cert.pem
	fi
	SIGN_TSA_CAFILE=${CERTIGNA_SIGN_TSA_CAFILE:-$SIGN_CAFILE}
	[[ -z ${CERTIGNA_SIGN_TIMESTAMP_URL:-} ]] && warn "CERTIGNA_SIGN_TIMESTAMP_URL not set: signatures without a timestamp expire with the certificate"
	return 0
}

# pkcs11_engine: OpenSSL's pkcs11 engine (libp11), which osslsigncode and openssl load.
pkcs11_engine() {
	local e
	for e in ${CERTIGNA_SIGN_PKCS11_ENGINE:-} "$(openssl version -e 2>/dev/null | sed -nE 's/^ENGINESDIR: "(.*)"/\1/p')/pkcs11.so" \
		/usr/lib/x86_64-linux-gnu/engines-3/pkcs11.so /usr/lib/aarch64-linux-gnu/engines-3/pkcs11.so; do
		[[ -f $e ]] && { echo "$e"; return; }
	done
	die "OpenSSL's pkcs11 engine is missing (Debian: libengine-pkcs11-openssl; see scripts/packages/package.txt)"
}

# sign IN OUT: Authenticode signature (SHA-256) with osslsigncode, timestamped when a TSA is given.
sign() {
	setup_signing
	local ts=() key=()
	[[ -n ${CERTIGNA_SIGN_TIMESTAMP_URL:-} ]] && ts=(-ts "$CERTIGNA_SIGN_TIMESTAMP_URL")
	if [[ $SIGN_MODE == pkcs11 ]]; then
		key=(-pkcs11engine "$(pkcs11_engine)" -pkcs11module "$CERTIGNA_SIGN_PKCS11_MODULE" -certs "$SIGN_CERT" -key "$SIGN_KEY")
	else
		key=(-pkcs12 "$SIGN_P12")
	fi
	rm -f "$2"
	osslsigncode sign "${key[@]}" -readpass "$SIGN_PASSFILE" -h sha256 \
		-n "$NAME" -i "https://www.certigna.com" "${ts[@]}" -in "$1" -out "$2" >/dev/null
	verify_signature "$2"
}

verify_signature() {
	local out ca=()
	[[ -n $SIGN_CAFILE ]] && ca=(-CAfile "$SIGN_CAFILE")
	[[ -n $SIGN_TSA_CAFILE ]] && ca+=(-TSA-CAfile "$SIGN_TSA_CAFILE")
	if ! out=$(osslsigncode verify "${ca[@]}" -in "$1" 2>&1) || ! grep -q "Signature verification: ok" <<<"$out"; then
		printf '%s\n' "$out" >&2
		die "signature of $1 does not verify"
	fi
	if [[ -n ${CERTIGNA_SIGN_TIMESTAMP_URL:-} ]] && ! grep -q "Timestamp Server Signature verification: ok" <<<"$out"; then
		printf '%s\n' "$out" >&2
		die "the timestamp of $1 does not verify"
	fi
	log "signature ok: $(basename "$1")"
}

# sign_checksums DIR: DIR/SHA256SUMS.p7s, a detached CMS signature of DIR/SHA256SUMS with the code-signing key.
sign_checksums() {
	setup_signing
	local in=$1/SHA256SUMS out=$1/SHA256SUMS.p7s key=()
	if [[ $SIGN_MODE == pkcs11 ]]; then
		key=(-engine pkcs11 -keyform engine -inkey "$SIGN_KEY" -passin "file:$SIGN_PASSFILE" -signer "$SIGN_CERT")
		# the engine's own copy of the module path (libp11 reads it from the environment)
		PKCS11_MODULE_PATH=$CERTIGNA_SIGN_PKCS11_MODULE OPENSSL_ENGINES=$(dirname "$(pkcs11_engine)") \
			openssl cms -sign -binary -md sha256 "${key[@]}" -in "$in" -outform DER -out "$out" 2>/dev/null ||
			die "could not sign SHA256SUMS with the PKCS#11 key"
	else
		local pem=$WORK/sign/p12.pem
		(umask 077 && openssl pkcs12 -in "$SIGN_P12" -passin "file:$SIGN_PASSFILE" -nodes -out "$pem" 2>/dev/null) ||
			die "could not read $SIGN_P12"
		openssl cms -sign -binary -md sha256 -signer "$pem" -in "$in" -outform DER -out "$out" || { rm -f "$pem"; die "could not sign SHA256SUMS"; }
		rm -f "$pem"
	fi
	local ca=(-noverify)
	[[ -n $SIGN_CAFILE ]] && ca=(-CAfile "$SIGN_CAFILE" -purpose any)
	openssl cms -verify -binary -inform DER -in "$out" -content "$in" "${ca[@]}" -out /dev/null 2>/dev/null ||
		die "the signature of SHA256SUMS does not verify"
	log "signature ok: SHA256SUMS.p7s"
}

# ---------------------------------------------------------------- windows --
build_windows() {
	need x86_64-w64-mingw32-gcc; need x86_64-w64-mingw32-windres; need wixl; need msiinfo; need msibuild
	need osslsigncode; need openssl
	local wb=$WORK/windows v4=$VERSION.$BUILD t0
	t0=$(now)
	setup_signing # fail before the long build when the release certificate is missing
	mkdir -p "$wb/msi"
	icons

	# Resources (icon, version info, manifest) as a COFF object handed to the
	# external linker: nothing is written into the source tree (a .syso would be).
	sed "s|@VERSION4@|$v4|g" packaging/windows/certigna-desktop.exe.manifest >"$wb/app.manifest"
	sed -e "s|@ICO@|$WORK/icons/certigna-desktop.ico|" -e "s|@MANIFEST@|$wb/app.manifest|" \
		-e "s|@VERSIONCOMMA@|${v4//./,}|g" -e "s|@VERSION4@|$v4|g" -e "s|@VERSION@|$VERSION|g" -e "s|@BUILD@|$BUILD|g" \
		packaging/windows/certigna-desktop.rc >"$wb/app.rc"
	x86_64-w64-mingw32-windres -O coff -i "$wb/app.rc" -o "$wb/rsrc.o"

	log "building the Windows exe (cgo through mingw-w64; ~7 min when the cache is cold)"
	timed "windows go build" env GOOS=windows GOARCH=amd64 CGO_ENABLED=1 CC=x86_64-w64-mingw32-gcc \
		go build -ldflags "-H=windowsgui -s -w -linkmode=external -extldflags=$wb/rsrc.o" \
		-o "$wb/certigna-desktop.exe" ./cmd/certigna-desktop

	local exe=$DIST/certigna-desktop-$VERSION-windows-amd64.exe
	local msi=$DIST/certigna-desktop-$VERSION-windows-amd64.msi
	sign "$wb/certigna-desktop.exe" "$exe"

	# The MSI carries the signed exe.
	cp "$exe" "$wb/msi/certigna-desktop.exe"
	build_msi "$v4" "$msi"
	log "windows exe + MSI: $(($(now) - t0)) s"
}

# build_msi VERSION4 OUT: the signed MSI of the exe in build/packaging/windows/msi
# (the test also calls it, to make the versions an upgrade goes through).
build_msi() {
	local wb=$WORK/windows
	# wixl wants source paths relative to the working directory (ROOT).
	wixl -a x64 -D "Version=$1" -D "SourceDir=${wb#"$ROOT"/}/msi" -D "IconFile=${WORK#"$ROOT"/}/icons/certigna-desktop.ico" \
		-o "$wb/unsigned.msi" packaging/windows/certigna-desktop.wxs
	allow_same_version_upgrade "$wb/unsigned.msi"
	msi_conditions "$wb/unsigned.msi"
	sign "$wb/unsigned.msi" "$2"
}

# wixl's MajorUpgrade detects only strictly older versions, and Windows
# Installer compares just X.Y.Z: a rebuild with the same Version but a new Build
# would install beside the old one. Making the upper bound inclusive (WiX's
# AllowSameVersionUpgrades) lets it replace it instead.
allow_same_version_upgrade() {
	local idt
	idt=$(mktemp -d)
	msiinfo export "$1" Upgrade |
		awk -F'\t' 'BEGIN { OFS = "\t" } { sub(/\r$/, "") }
			NR > 3 && $7 == "WIX_UPGRADE_DETECTED" { if ($5 % 1024 < 512) $5 += 512 } { printf "%s\r\n", $0 }' >"$idt/Upgrade.idt"
	msibuild "$1" -i "$idt/Upgrade.idt"
	rm -rf "$idt"
}

# msi_conditions MSI: the rows wixl 0.101 cannot write (a <Condition> element
# crashes it): the Windows 10 launch condition — Windows Installer reports
# VersionNT 603 on 8.1 and 10 alike, so the build number read by the .wxs's
# RegistrySearch decides (10240: Windows 10's first) — and the condition of
# the desktop shortcut (DESKTOPSHORTCUT=0 on the command line leaves it out).
msi_conditions() {
	msibuild "$1" -q "INSERT INTO LaunchCondition (Condition, Description) VALUES ('Installed OR (VersionNT >= 603 AND WINDOWSBUILD >= 10240)', 'Certigna Desktop nécessite Windows 10 ou une version plus récente. / Certigna Desktop needs Windows 10 or later.')"
	msibuild "$1" -q "UPDATE Component SET Condition = 'DESKTOPSHORTCUT = \"1\"' WHERE Component = 'DesktopShortcut'"
}

# ------------------------------------------------------------------ linux --
build_linux() {
	need dpkg-deb; need fakeroot; need xz
	local lb=$WORK/linux fyne
	mkdir -p "$lb/bin" "$lb/tar"
	icons
	fyne=$(fyne_tool)

	log "building the Linux binary"
	# PIE (address-space randomisation of the program itself; lintian's hardening check). Measured: ~20 s over
	# the tests' warm cache, the cgo objects are shared.
	timed "linux go build" go build -buildmode=pie -o "$lb/certigna-desktop.debug" ./cmd/certigna-desktop
	strip --strip-unneeded -o "$lb/bin/certigna-desktop" "$lb/certigna-desktop.debug"

	# Tarball: fyne's own layout (usr/local/bin, .desktop, pixmaps icon, Makefile).
	fyne_src "$lb/fyne-src"
	rm -f "$lb/tar/"*.tar.xz
	local t0
	t0=$(now)
	(cd "$lb/tar" && XZ_OPT="-$XZ_LEVEL -T0" "$fyne" package --target linux --src "$lb/fyne-src" --executable "$lb/bin/certigna-desktop" \
		--name "$NAME" --app-id "$APP_ID" --app-version "$VERSION" --app-build "$BUILD" --release >&2)
	mv "$lb/tar/"*.tar.xz "$DIST/certigna-desktop-$VERSION-linux-amd64.tar.xz"
	log "linux tarball (fyne package): $(($(now) - t0)) s"

	# .deb: /usr/bin binary, .desktop named after the app ID, hicolor icons.
	local root=$lb/deb s depends
	rm -rf "$root" && mkdir -p "$root/DEBIAN"
	install -D -m 755 "$lb/bin/certigna-desktop" "$root/usr/bin/certigna-desktop"
	install -D -m 644 packaging/linux/certigna-desktop.desktop "$root/usr/share/applications/$APP_ID.desktop"
	for s in 16 24 32 48 64 128 256 512; do
		install -D -m 644 "$WORK/icons/icon-$s.png" "$root/usr/share/icons/hicolor/${s}x$s/apps/$APP_ID.png"
	done
	# Dolphin's right-click "Signer avec Certigna" (KDE service menu; Nautilus and others list the app under
	# "Ouvrir avec" from the .desktop file's MimeType).
	install -D -m 644 packaging/linux/certigna-desktop-sign.servicemenu.desktop \
		"$root/usr/share/kio/servicemenus/$APP_ID.sign.desktop"
	install -D -m 644 packaging/linux/copyright "$root/usr/share/doc/certigna-desktop/copyright"
	deb_changelog | gzip -9n >"$root/usr/share/doc/certigna-desktop/changelog.Debian.gz"
	install -D -m 644 packaging/linux/lintian-overrides "$root/usr/share/lintian/overrides/certigna-desktop"
	chmod 644 "$root/usr/share/doc/certigna-desktop/changelog.Debian.gz"
	depends=$(deb_depends "$root/usr/bin/certigna-desktop")
	sed -e "s|@DEBVERSION@|$VERSION-$BUILD|" -e "s|@DEPENDS@|$depends|" \
		-e "s|@INSTALLED_SIZE@|$(du -sk --exclude=DEBIAN "$root" | cut -f1)|" \
		packaging/linux/control.in >"$root/DEBIAN/control"
	timed "linux .deb (dpkg-deb)" fakeroot dpkg-deb --build -Zxz "-z$XZ_LEVEL" "$root" "$DIST/certigna-desktop_$VERSION-${BUILD}_amd64.deb" >&2
}

# deb_changelog: the Debian changelog entry of this version (lintian requires one); dated by the last commit,
# so that two builds of one commit give the same package.
deb_changelog() {
	local when
	when=$(git log -1 --format=%cD 2>/dev/null) || when=
	[[ -n $when ]] || when=$(date -R)
	printf '%s (%s) stable; urgency=medium\n\n  * %s %s (build %s).\n\n -- %s  %s\n' \
		certigna-desktop "$VERSION-$BUILD" "$NAME" "$VERSION" "$BUILD" \
		"$(sed -n 's/^Maintainer: //p' packaging/linux/control.in)" "$when"
}

# deb_depends BINARY: the libraries it links, as Debian package names
# (dpkg-shlibdeps), plus the X libraries GLFW dlopen()s at run time (cursor,
# input, monitors: invisible to dpkg-shlibdeps), and always GL and X11.
deb_depends() {
	local d=$WORK/linux/shlibdeps deps
	rm -rf "$d" && mkdir -p "$d/debian"
	printf 'Source: certigna-desktop\n\nPackage: certigna-desktop\nArchitecture: amd64\n' >"$d/debian/control"
	if deps=$(cd "$d" && dpkg-shlibdeps -O -e "$1" 2>/dev/null); then
		deps=${deps#shlibs:Depends=}
	else
		warn "dpkg-shlibdeps failed: using the fixed list of Fyne's runtime libraries"
		deps="libc6"
	fi
	for p in libgl1 libx11-6 libx11-xcb1 libxcursor1 libxi6 libxinerama1 libxrandr2 libxrender1 libxxf86vm1; do
		grep -qE "(^|, )$p( |,|$)" <<<"$deps" || deps="$deps, $p"
	done
	echo "$deps"
}

# ----------------------------------------------------------------- darwin --
build_darwin() {
	[[ $(uname -s) == Darwin ]] || die "the darwin target needs macOS (cgo for darwin needs Apple's SDK)"
	need lipo; need codesign; need hdiutil
	local db=$WORK/darwin fyne app identity=${CERTIGNA_MACOS_IDENTITY:-}
	if [[ ${CERTIGNA_REQUIRE_RELEASE_SIGNING:-} == 1 ]]; then
		for v in CERTIGNA_MACOS_IDENTITY CERTIGNA_NOTARY_APPLE_ID CERTIGNA_NOTARY_TEAM_ID CERTIGNA_NOTARY_PASSWORD; do
			[[ -n ${!v:-} ]] || die "CERTIGNA_REQUIRE_RELEASE_SIGNING=1 but $v is not set"
		done
	fi
	mkdir -p "$db"
	fyne=$(fyne_tool)
	export MACOSX_DEPLOYMENT_TARGET=${MACOSX_DEPLOYMENT_TARGET:-11.0}
	for arch in arm64 amd64; do
		timed "darwin/$arch go build" env GOOS=darwin GOARCH=$arch CGO_ENABLED=1 \
			go build -ldflags "-s -w" -o "$db/certigna-desktop-$arch" ./cmd/certigna-desktop
	done
	lipo -create -output "$db/certigna-desktop" "$db/certigna-desktop-arm64" "$db/certigna-desktop-amd64"
	lipo -info "$db/certigna-desktop" >&2

	fyne_src "$db/fyne-src"
	rm -rf "$db/app" && mkdir -p "$db/app"
	(cd "$db/app" && "$fyne" package --target darwin --src "$db/fyne-src" --executable "$db/certigna-desktop" \
		--name "$NAME" --app-id "$APP_ID" --app-version "$VERSION" --app-build "$BUILD" --release >&2)
	app="$db/app/$NAME.app"
	[[ -d $app ]] || die "fyne package did not produce $app"
	# PDF document type (Viewer, Alternate: never the default), the Services entry, category, macOS 12 minimum.
	python3 packaging/macos/infoplist.py "$app/Contents/Info.plist"

	local sig=(--force --options runtime --entitlements "$ROOT/packaging/macos/entitlements.plist")
	if [[ -n $identity ]]; then
		sig+=(--timestamp --sign "$identity")
	else
		warn "CERTIGNA_MACOS_IDENTITY not set: ad-hoc signature; Gatekeeper will refuse this app on other Macs"
		sig+=(--sign -)
	fi
	codesign "${sig[@]}" "$app"
	codesign --verify --strict --verbose=2 "$app"
	codesign -d --entitlements - "$app" 2>/dev/null | grep -q disable-library-validation ||
		die "the disable-library-validation entitlement is missing from the signature"

	notarize "$app"

	local dmg=$DIST/certigna-desktop-$VERSION-macos-universal.dmg stage=$db/dmg
	rm -rf "$stage" && mkdir -p "$stage"
	cp -R "$app" "$stage/"
	ln -s /Applications "$stage/Applications"
	hdiutil create -volname "$NAME" -srcfolder "$stage" -ov -format UDZO "$dmg" >&2
	if [[ -n $identity ]]; then
		codesign --force --timestamp --sign "$identity" "$dmg"
		notarize "$dmg"
		spctl --assess --type execute --verbose=2 "$app"
		spctl --assess --type open --context context:primary-signature --verbose=2 "$dmg"
	fi
}

# notarize PATH: submit to Apple's notary service, wait, staple the ticket.
notarize() {
	if [[ -z ${CERTIGNA_NOTARY_APPLE_ID:-} || -z ${CERTIGNA_NOTARY_TEAM_ID:-} || -z ${CERTIGNA_NOTARY_PASSWORD:-} ||
		-z ${CERTIGNA_MACOS_IDENTITY:-} ]]; then
		warn "notarization skipped for $(basename "$1") (CERTIGNA_MACOS_IDENTITY / CERTIGNA_NOTARY_* not set)"
		return
	fi
	local sub=$1 out
	if [[ -d $1 ]]; then # an .app is submitted as a zip
		sub="$1.zip"
		ditto -c -k --keepParent "$1" "$sub"
	fi
	out=$(xcrun notarytool submit "$sub" --apple-id "$CERTIGNA_NOTARY_APPLE_ID" --team-id "$CERTIGNA_NOTARY_TEAM_ID" \
		--password "$CERTIGNA_NOTARY_PASSWORD" --wait --output-format json)
	printf '%s\n' "$out" >&2
	if ! grep -Eq '"status" *: *"Accepted"' <<<"$out"; then
		local id
		id=$(sed -nE 's/.*"id" *: *"([^"]+)".*/\1/p' <<<"$out" | head -1)
		[[ -n $id ]] && xcrun notarytool log "$id" --apple-id "$CERTIGNA_NOTARY_APPLE_ID" \
			--team-id "$CERTIGNA_NOTARY_TEAM_ID" --password "$CERTIGNA_NOTARY_PASSWORD" >&2 || true
		die "notarization of $(basename "$1") was not accepted"
	fi
	xcrun stapler staple "$1" >&2
	xcrun stapler validate "$1" >&2
	[[ $sub != "$1" ]] && rm -f "$sub"
	return 0
}

# -------------------------------------------------------------------- main --
checksums() {
	(
		cd "$DIST"
		local files=()
		for f in *; do [[ -f $f && $f != SHA256SUMS ]] && files+=("$f"); done
		if command -v sha256sum >/dev/null; then sha256sum "${files[@]}"; else shasum -a 256 "${files[@]}"; fi >SHA256SUMS
	)
	# The macOS runner has no OpenSSL cms (LibreSSL): its SHA256SUMS is signed where the others are.
	[[ $(uname -s) == Darwin ]] || sign_checksums "$DIST"
}

main() {
	local targets=("$@") t t0
	if ((${#targets[@]} == 0)); then
		if [[ $(uname -s) == Darwin ]]; then targets=(darwin); else targets=(windows linux); fi
	fi
	for t in "${targets[@]}"; do
		case $t in windows | linux | darwin) ;; *) die "unknown target '$t' (windows, linux, darwin)" ;; esac
	done
	need go
	t0=$(now)
	log "$NAME $VERSION (build $BUILD): ${targets[*]} → $DIST"
	rm -rf "$DIST" && mkdir -p "$DIST" "$WORK"
	for t in "${targets[@]}"; do
		"build_$t"
	done
	checksums
	log "done in $(($(now) - t0)) s:"
	(cd "$DIST" && ls -l) >&2
}

# Run unless sourced (the test sources this file to reuse build_msi).
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	main "$@"
fi
