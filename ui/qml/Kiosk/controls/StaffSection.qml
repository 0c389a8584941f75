// A titled white card on the staff screen; children go into its column.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: root
    property string title: ""
    default property alias content: column.data
    implicitHeight: column.implicitHeight + 2 * 24
    radius: Theme.radius
    color: Theme.cardBg
    border.width: Theme.cardBorderWidth
    border.color: Theme.cardBorder

    ColumnLayout {
        id: column
        anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
        spacing: Theme.gap * 0.75
        Label { textFormat: Text.PlainText;
            text: root.title
            font.pixelSize: Theme.fontLarge
            font.bold: true
            color: Theme.primary
        }
    }
}
