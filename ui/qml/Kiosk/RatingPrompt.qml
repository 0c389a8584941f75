// Offered on home after the resident has read something: "您对本次查询满意吗？ 去评价".
import QtQuick
import QtQuick.Layouts

Card {
    implicitHeight: Math.round(96 * Theme.scale)
    color: "#F0F6FF"
    border.color: Theme.primary
    RowLayout {
        anchors { fill: parent; leftMargin: 28; rightMargin: 12 }
        Text { Layout.fillWidth: true; text: qsTr("您对本次查询服务满意吗？欢迎评价，帮助我们改进。"); wrapMode: Text.Wrap
               font.pixelSize: Theme.fontBody; color: Theme.text }
        KioskButton { objectName: "ratingPromptButton"; text: qsTr("去评价"); onClicked: Nav.open("rating", {}) }
    }
}
