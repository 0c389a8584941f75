// The document status chip: 现行有效 (green), 已修订 (orange), 已废止 (red). Never colour alone: the
// label is always written out.
import QtQuick

Rectangle {
    id: root
    property string status: "in_force"
    property string label: status === "repealed" ? qsTr("已废止") : status === "amended" ? qsTr("已修订") : qsTr("现行有效")
    property int fontSize: Theme.fontSmall
    implicitWidth: t.implicitWidth + 28
    implicitHeight: t.implicitHeight + 10
    radius: 8
    color: status === "in_force" ? "transparent" : Theme.statusColor(status)
    border.color: Theme.statusColor(status)
    border.width: 2
    Text { textFormat: Text.PlainText; id: t; anchors.centerIn: parent; text: root.label; font.pixelSize: root.fontSize; font.bold: true
           color: root.status === "in_force" ? Theme.inForce : "white" }
}
