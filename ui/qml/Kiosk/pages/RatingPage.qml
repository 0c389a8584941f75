// The satisfaction rating: five big choices, 非常满意 … 非常不满意; saved to the outbox off the UI thread.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "ratingPage"
    route: "rating"
    property string state_: ""      // "" | saving | saved | failed

    Connections {
        target: Feedback
        function onRatingSaved(level) { page.state_ = "saved"; Visit.ratingClosed = true; backHome.start() }
        function onRatingFailed(reason) { page.state_ = "failed" }
    }
    Timer { id: backHome; interval: 3000; onTriggered: Nav.home() }

    PageTitle { id: title; anchors { left: parent.left; right: parent.right; top: parent.top }
                text: qsTr("满意度评价"); note: qsTr("匿名评价，不收集个人信息") }

    ColumnLayout {
        anchors { left: parent.left; right: parent.right; top: title.bottom; margins: Theme.margin; topMargin: Theme.margin }
        spacing: Theme.gap * 1.5
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap
               text: page.state_ === "saved" ? qsTr("感谢您的评价！") : qsTr("您对本次政务公开查询服务满意吗？")
               font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.text }
        GridLayout {
            Layout.fillWidth: true
            visible: page.state_ !== "saved"
            columns: Theme.portrait ? 1 : 5
            columnSpacing: Theme.gap; rowSpacing: Theme.gap
            Repeater {
                model: [{level: 5, label: qsTr("非常满意"), color: "#1B5E20", stars: "★★★★★"},
                        {level: 4, label: qsTr("满意"), color: "#2E7D32", stars: "★★★★"},
                        {level: 3, label: qsTr("基本满意"), color: "#8D6E00", stars: "★★★"},
                        {level: 2, label: qsTr("不满意"), color: "#BF4A00", stars: "★★"},
                        {level: 1, label: qsTr("非常不满意"), color: "#B71C1C", stars: "★"}]
                delegate: AbstractButton {
                    id: rateButton
                    required property var modelData
                    objectName: "rate-" + modelData.level
                    Layout.fillWidth: true
                    Layout.preferredWidth: 100
                    implicitHeight: Theme.portrait ? Math.round(150 * Theme.scale) : Math.round(260 * Theme.scale)
                    enabled: page.state_ !== "saving"
                    focusPolicy: Qt.NoFocus
                    onClicked: { page.state_ = "saving"; Feedback.submit(rateButton.modelData.level, "visit") }
                    background: Rectangle { radius: Theme.radius * 1.5; color: rateButton.pressed ? Qt.darker(rateButton.modelData.color, 1.2) : rateButton.modelData.color }
                    contentItem: ColumnLayout {
                        spacing: 10
                        Text { textFormat: Text.PlainText; Layout.alignment: Qt.AlignHCenter; text: rateButton.modelData.stars; color: "#FFE082"; font.pixelSize: Theme.fontLarge }
                        Text { textFormat: Text.PlainText; Layout.alignment: Qt.AlignHCenter; text: rateButton.modelData.label; color: "white"; font.pixelSize: Theme.fontTitle; font.bold: true }
                    }
                }
            }
        }
        Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap; objectName: "ratingOutcome"
               font.pixelSize: Theme.fontLarge; color: page.state_ === "failed" ? Theme.repealed : Theme.textMuted
               text: page.state_ === "saved" ? qsTr("您的评价已记录，3 秒后返回首页。")
                   : page.state_ === "failed" ? qsTr("评价暂时无法保存，请联系工作人员。") : qsTr("请点选一项") }
    }
}
