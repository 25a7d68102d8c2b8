// Package browsers puts the token where the customer's other programs look
// for it, and checks that it works there:
//
//   - Discover finds the NSS databases of Firefox (release, ESR, Developer
//     Edition, snap, flatpak) and Thunderbird through their profiles.ini, and
//     on Linux the shared database ~/.pki/nssdb (Chrome, Chromium, Edge,
//     Okular): which are running (their lock), sandboxed (snap/flatpak), and
//     whether the token's PKCS#11 module is registered.
//   - Register/Unregister add or remove the module in a profile's pkcs11.txt,
//     the text file NSS keeps for sql: databases, exactly as `modutil -add`
//     writes it: only while the program is closed, after a backup, without
//     duplicates; Unregister removes exactly the bytes Register added.
//   - ProbeTLS/TestTLS perform a TLS handshake with client-certificate
//     authentication using a crypto.Signer given by the caller (the token
//     package opens it: one PIN verification); nothing here knows PKCS#11.
//   - CheckMail says whether a certificate can sign e-mail (S/MIME).
//   - SystemStore checks the Windows and macOS system stores (built for those
//     systems, untested here: see docs/browsers.md).
package browsers
