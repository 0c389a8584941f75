// The attract screen shown after an idle timeout: what this terminal is for, in large type, with the
// newest notices; one touch anywhere starts a visit. The idle clock is paused while it shows.
import QtQuick
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

Rectangle {
    id: root
    objectName: "attractScreen"
    visible: false
    property int annIndex: 0
    function show() { visible = true; Idle.paused = true }
    function hide() { visible = false; Idle.paused = false }
    gradient: Gradient {
        GradientStop { position: 0; color: "#8B1015" }
        GradientStop { position: 1; color: "#5E0A0D" }
    }
    MouseArea { objectName: "attractTap"; anchors.fill: parent; onClicked: root.hide() }
    Timer { running: root.visible && Terminal.announcements.length > 1; interval: 6000; repeat: true
            onTriggered: root.annIndex = (root.annIndex + 1) % Terminal.announcements.length }

    ColumnLayout {
        anchors.centerIn: parent
        width: parent.width - 160
        spacing: 36
        Rectangle { Layout.alignment: Qt.AlignHCenter; width: 180; height: 180; radius: 90; color: "transparent"
                    border.color: Theme.accent; border.width: 8
                    Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: qsTr("政务"); color: Theme.accent; font.pixelSize: 64; font.bold: true } }
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap
               text: Terminal.zoneTitle; color: "white"; font.pixelSize: Theme.portrait ? 64 : 80; font.bold: true }
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap
               text: qsTr("查政策 · 看公告 · 办事指南 · 依申请公开"); color: Theme.accent; font.pixelSize: 44 }
        Rectangle {
            Layout.alignment: Qt.AlignHCenter
            Layout.preferredWidth: Math.min(root.width - 160, 1100); Layout.preferredHeight: 120
            radius: 60; color: "white"
            Text { textFormat: Text.PlainText; anchors.centerIn: parent; text: qsTr("请触摸屏幕开始查询"); color: "#8B1015"; font.pixelSize: 52; font.bold: true }
            SequentialAnimation on scale { running: root.visible; loops: Animation.Infinite
                NumberAnimation { from: 1; to: 1.04; duration: 900 } NumberAnimation { from: 1.04; to: 1; duration: 900 } }
        }
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap; maximumLineCount: 2
               visible: Terminal.announcements.length > 0
               text: visible ? qsTr("最新公告：") + Terminal.announcements[root.annIndex % Terminal.announcements.length].title : ""
               color: "white"; font.pixelSize: 34 }
    }
}
