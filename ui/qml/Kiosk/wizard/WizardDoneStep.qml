// After submitting: the receipt first (a failed printer is never below the fold), the tracking number and the reply deadline.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

ColumnLayout {
    id: step
    property bool wide: false
    readonly property real fontScale: Theme.scale
    spacing: 20
    Label { textFormat: Text.PlainText;
        text: qsTr("申请已提交")
        font.pixelSize: 44 * step.fontScale; font.bold: true; color: Theme.inForce
    }
    // the receipt comes first: a failed printer must never be below the fold
    Rectangle {
        Layout.fillWidth: true
        implicitHeight: receiptLabel.implicitHeight + 28
        radius: 12
        color: ApplyWizard.receiptState === ApplyWizard.Receipt.Failed ? "#FDECEA" : "#EEF5EE"
        border.width: 2
        border.color: ApplyWizard.receiptState === ApplyWizard.Receipt.Failed ? Theme.highlight : Theme.inForce
        visible: ApplyWizard.receiptState !== ApplyWizard.Receipt.NoReceipt
        Label { textFormat: Text.PlainText;
            id: receiptLabel
            objectName: "applyReceiptState"
            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter
                      leftMargin: 20; rightMargin: 20 }
            wrapMode: Text.Wrap
            font.pixelSize: 30 * step.fontScale
            font.bold: true
            color: ApplyWizard.receiptState === ApplyWizard.Receipt.Failed ? Theme.highlight : Theme.text
            text: ApplyWizard.receiptState === ApplyWizard.Receipt.Printing ? qsTr("正在打印回执，请稍候…")
                : ApplyWizard.receiptState === ApplyWizard.Receipt.Printed ? qsTr("回执已打印，请从出纸口取走并妥善保管")
                : ApplyWizard.receiptState === ApplyWizard.Receipt.Failed ? qsTr("回执打印失败，请联系工作人员")
                : ""
        }
    }
    Rectangle {
        Layout.fillWidth: true
        implicitHeight: doneGrid.implicitHeight + 48
        radius: 18; color: "#ffffff"; border.color: Theme.inForce; border.width: 3
        GridLayout {
            id: doneGrid
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
            columns: step.wide ? 2 : 1
            columnSpacing: 40
            rowSpacing: 12
            ColumnLayout {
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Layout.alignment: Qt.AlignTop
                Label { textFormat: Text.PlainText; text: qsTr("受理编号"); font.pixelSize: Theme.px(26); color: Theme.textMuted }
                Label { textFormat: Text.PlainText;
                    objectName: "applyTrackingNumber"
                    text: ApplyWizard.trackingNumber
                    font.pixelSize: 56 * step.fontScale; font.bold: true; color: Theme.primary
                    Layout.fillWidth: true
                    fontSizeMode: Text.HorizontalFit
                    minimumPixelSize: 36
                }
            }
            ColumnLayout {
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Layout.alignment: Qt.AlignTop
                Label { textFormat: Text.PlainText; text: qsTr("答复期限"); font.pixelSize: Theme.px(26); color: Theme.textMuted }
                Label { textFormat: Text.PlainText;
                    objectName: "applyDeadline"
                    // the one format of every screen and paper: 2027年1月6日（星期三）前（含当日）
                    text: ApplyWizard.deadlineText
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    font.pixelSize: 40 * step.fontScale; font.bold: true; color: Theme.primary
                }
                Label { textFormat: Text.PlainText;
                    objectName: "applyDeadlineExplanation"
                    Layout.fillWidth: true
                    text: ApplyWizard.deadlineExplanation
                    wrapMode: Text.Wrap
                    font.pixelSize: Theme.px(22); color: Theme.textMuted
                }
            }
        }
    }
    Label { textFormat: Text.PlainText;
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: qsTr("申请已保存在本终端，将送达区政务公开办。凭受理编号和联系电话可在本终端“申请进度查询”中查询办理情况。")
        font.pixelSize: Theme.px(24); color: Theme.textMuted
    }
}
