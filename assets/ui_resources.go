package assets

import _ "embed"

// IconPNG is the app icon (assets/icon.png), for the window and the header.
//
//go:embed icon.png
var IconPNG []byte
