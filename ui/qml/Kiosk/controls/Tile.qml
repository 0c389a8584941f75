// A large home-screen tile: a coloured mark, the name, and an optional line under it (e.g. 共 12 条).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk

AbstractButton {
    id: tile
    property string subtitle: ""
    property color markColor: Theme.headerBg
    property string mark: text.replace(/^[“”"《「（(]+/, "").charAt(0)
    property bool feature: false
    implicitHeight: Math.round((feature ? 150 : 128) * Theme.scale)
    implicitWidth: 300
    focusPolicy: Qt.NoFocus

    background: Rectangle {
        radius: Theme.radius
        color: tile.feature ? (tile.pressed ? Qt.darker(tile.markColor, 1.2) : tile.markColor)
                            : (tile.pressed ? "#EFE8DA" : Theme.cardBg)
        border.color: tile.feature ? "transparent" : Theme.cardBorder
        border.width: Theme.cardBorderWidth
        Rectangle { visible: !tile.feature; anchors { left: parent.left; top: parent.top; bottom: parent.bottom; margins: 0 }
                    width: 10; radius: Theme.radius; color: tile.markColor }
    }
    contentItem: RowLayout {
        spacing: 16
        anchors.leftMargin: 24
        Item { Layout.preferredWidth: 12 }
        Rectangle {
            Layout.preferredWidth: Math.round(64 * Theme.scale); Layout.preferredHeight: Layout.preferredWidth
            radius: width / 2
            color: tile.feature ? "white" : tile.markColor
            Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: tile.mark; font.pixelSize: Math.round(30 * Theme.scale); font.bold: true
                   color: tile.feature ? tile.markColor : "white" }
        }
        ColumnLayout {
            Layout.fillWidth: true
            spacing: 4
            Text { textFormat: Text.PlainText; Layout.fillWidth: true; text: tile.text; wrapMode: Text.Wrap; maximumLineCount: 2; elide: Text.ElideRight
                   font.pixelSize: tile.feature ? Theme.fontLarge : Math.max(Theme.largeText ? 36 : 0, Theme.fontTile * (tile.text.length > 9 ? 0.7 : 0.85)); font.bold: true
                   color: tile.feature ? "white" : Theme.text }
            Text { textFormat: Text.PlainText; Layout.fillWidth: true; visible: tile.subtitle !== ""; text: tile.subtitle; elide: Text.ElideRight
                   font.pixelSize: Theme.fontSmall; color: tile.feature ? "#FFF3DC" : Theme.textMuted }
        }
    }
}
