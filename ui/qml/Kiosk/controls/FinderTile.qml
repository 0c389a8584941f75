// A square touch tile of the character finder (CharFinderPanel.qml): a radical or a stroke count, at
// least `size` (≥ 72 px) each way, wider for a longer label; the chosen one is filled.
import QtQuick
import QtQuick.Controls
import Kiosk

AbstractButton {
    id: tile
    property int size: 84
    property int glyphSize: 40
    property bool selected: false
    implicitWidth: Math.max(size, label.implicitWidth + 24)
    implicitHeight: size
    focusPolicy: Qt.NoFocus
    background: Rectangle {
        radius: 10
        color: tile.selected ? Theme.primary : tile.pressed ? "#E3ECF7" : "#FFFFFF"
        border.color: Theme.primary
        border.width: tile.selected ? 3 : 2
    }
    contentItem: Text {
        id: label
        text: tile.text
        textFormat: Text.PlainText
        horizontalAlignment: Text.AlignHCenter
        verticalAlignment: Text.AlignVCenter
        color: tile.selected ? Theme.primaryText : Theme.text
        font.pixelSize: tile.glyphSize
        font.bold: tile.selected
    }
}
