// A white card with the theme's border; the base of list rows, tiles and panels.
import QtQuick
import Kiosk

Rectangle {
    color: Theme.cardBg
    radius: Theme.radius
    border.color: Theme.cardBorder
    border.width: Theme.cardBorderWidth
}
