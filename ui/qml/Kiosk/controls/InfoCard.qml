// A card with a heading and a paragraph (explainer screens).
import QtQuick
import QtQuick.Layouts
import Kiosk

Card {
    id: card
    property string heading: ""
    property string body: ""
    property bool accent: false
    Layout.fillWidth: true
    Layout.preferredWidth: 100
    Layout.alignment: Qt.AlignTop
    implicitHeight: inner.implicitHeight + 56
    border.color: accent ? Theme.headerBg : Theme.cardBorder
    border.width: accent ? Theme.cardBorderWidth + 2 : Theme.cardBorderWidth
    ColumnLayout {
        id: inner
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: 28 }
        spacing: 14
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; text: card.heading; font.pixelSize: Theme.fontLarge; font.bold: true
               color: card.accent ? Theme.headerBg : Theme.text; wrapMode: Text.Wrap }
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; text: card.body; font.pixelSize: Theme.fontBody; color: Theme.text
               wrapMode: Text.Wrap; lineHeight: 1.35 }
    }
}
