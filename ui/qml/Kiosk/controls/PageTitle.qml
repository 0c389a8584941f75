// The title bar at the top of an inner screen: the screen's name and a short note on the right (both
// wrap onto a second line rather than being cut, e.g. in portrait or large text).
import QtQuick
import QtQuick.Layouts
import Kiosk

Rectangle {
    property alias text: label.text
    property alias note: noteLabel.text
    implicitHeight: Math.max(Math.round(84 * Theme.scale), row.implicitHeight + 20)
    color: Theme.cardBg
    Rectangle { anchors { left: parent.left; right: parent.right; bottom: parent.bottom } height: Theme.cardBorderWidth + 1; color: Theme.cardBorder }
    RowLayout {
        id: row
        anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; leftMargin: Theme.margin; rightMargin: Theme.margin }
        spacing: 16
        Rectangle { Layout.preferredWidth: 8; Layout.preferredHeight: label.implicitHeight; color: Theme.headerBg; radius: 3 }
        Text { id: label; Layout.fillWidth: true; Layout.minimumWidth: Math.min(implicitWidth, parent.width * 0.45)
               textFormat: Text.PlainText
               font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.text; wrapMode: Text.Wrap }
        Text { id: noteLabel; Layout.maximumWidth: parent.width * 0.4; font.pixelSize: Theme.fontBody; color: Theme.textMuted
               textFormat: Text.PlainText
               wrapMode: Text.Wrap; horizontalAlignment: Text.AlignRight }
    }
}
