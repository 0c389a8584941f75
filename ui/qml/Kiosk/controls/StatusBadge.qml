// The document status chip: 现行有效 (green), 已修订 (orange), 已废止 (red). Never colour alone: the
// label is always written out. `status`: a DocumentStatus.Status (anything but Amended and Repealed reads 现行有效).
import QtQuick
import Kiosk
import Kiosk.Backend

Rectangle {
    id: root
    property int status: DocumentStatus.Status.InForce
    readonly property bool inForce: status !== DocumentStatus.Status.Amended && status !== DocumentStatus.Status.Repealed
    property string label: status === DocumentStatus.Status.Repealed ? qsTr("已废止")
                         : status === DocumentStatus.Status.Amended ? qsTr("已修订") : qsTr("现行有效")
    property int fontSize: Theme.fontSmall
    implicitWidth: t.implicitWidth + 28
    implicitHeight: t.implicitHeight + 10
    radius: 8
    color: inForce ? "transparent" : Theme.statusColor(status)
    border.color: Theme.statusColor(status)
    border.width: 2
    Text { textFormat: Text.PlainText; id: t; anchors.centerIn: parent; text: root.label; font.pixelSize: root.fontSize; font.bold: true
           color: root.inForce ? Theme.inForce : "white" }
}
