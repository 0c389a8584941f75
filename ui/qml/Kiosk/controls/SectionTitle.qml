// A section heading with a red bar on the left.
import QtQuick
import QtQuick.Layouts
import Kiosk

RowLayout {
    property alias text: label.text
    property string note: ""
    spacing: 14
    Rectangle { Layout.preferredWidth: 8; Layout.preferredHeight: label.implicitHeight; color: Theme.headerBg; radius: 3 }
    Text { textFormat: Text.PlainText; id: label; font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.text }
    Text { textFormat: Text.PlainText; visible: parent.note !== ""; text: parent.note; font.pixelSize: Theme.fontSmall; color: Theme.textMuted; Layout.fillWidth: true }
}
