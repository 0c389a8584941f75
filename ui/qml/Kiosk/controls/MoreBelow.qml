// Put at the bottom of a scrolling area `view` (anchored to the Flickable's bottom edge): while more of the
// page lies below, the last lines fade out and a pill says 向下滑动查看更多 — text cut at the edge then
// reads as "continues", not as hidden behind the buttons under it. A tap on the pill scrolls on by most
// of a screen.
import QtQuick
import Kiosk

Item {
    id: root
    objectName: "moreBelow"
    required property Flickable view
    readonly property bool more: view.contentY + view.height < view.contentHeight - 4
    height: Math.round(Theme.target * 1.1)
    visible: more
    z: 5

    Rectangle {
        anchors.fill: parent
        gradient: Gradient {
            GradientStop { position: 0.0; color: "transparent" }
            GradientStop { position: 0.75; color: Theme.pageBg }
        }
    }
    Rectangle {
        objectName: "moreBelowButton"
        anchors { horizontalCenter: parent.horizontalCenter; bottom: parent.bottom; bottomMargin: 6 }
        width: label.implicitWidth + 48
        height: Math.max(56, label.implicitHeight + 16)
        radius: height / 2
        color: Theme.primary
        Text {
            id: label
            anchors.centerIn: parent
            text: qsTr("▼ 向下滑动查看更多")
            textFormat: Text.PlainText
            color: "#FFFFFF"
            font.pixelSize: Theme.fontBody
            font.bold: true
        }
        TapHandler {
            onTapped: root.view.contentY = Math.min(root.view.contentHeight - root.view.height,
                                                    root.view.contentY + root.view.height * 0.8)
        }
    }
}
