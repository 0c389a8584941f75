// Step 4 of the application wizard: the medium (纸质/电子邮件/光盘) and how it is delivered.
pragma ComponentBehavior: Bound
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
        text: qsTr("希望以什么形式获得信息（可多选）")
        font.pixelSize: 30 * step.fontScale; font.bold: true; color: Theme.text
    }
    GridLayout {
        columns: step.wide ? 3 : 1
        columnSpacing: 24; rowSpacing: 18
        Layout.fillWidth: true
        Repeater {
            model: [{ code: "paper", name: qsTr("纸质") }, { code: "email", name: qsTr("电子邮件") },
                    { code: "disc", name: qsTr("光盘") }]
            delegate: ApplyToggle {
                required property var modelData
                objectName: "applyMedia-" + modelData.code
                Layout.fillWidth: true
                text: modelData.name
                fontScale: step.fontScale
                chosen: ApplyWizard.values["media"].indexOf(modelData.code) >= 0
                onClicked: ApplyWizard.toggleChoice("media", modelData.code)
            }
        }
    }
    StepError { errorKey: "media"; errorLabel: qsTr("载体形式") }
    Label { textFormat: Text.PlainText;
        Layout.topMargin: 20
        text: qsTr("希望怎样获取信息（可多选）")
        font.pixelSize: 30 * step.fontScale; font.bold: true; color: Theme.text
    }
    GridLayout {
        columns: step.wide ? 2 : 1
        columnSpacing: 24; rowSpacing: 18
        Layout.fillWidth: true
        Repeater {
            model: [{ code: "collect", name: qsTr("自行领取"), detail: qsTr("到本专区窗口领取") },
                    { code: "post", name: qsTr("邮寄"), detail: qsTr("寄到通信地址，需填写邮政编码") },
                    { code: "email", name: qsTr("电子邮件"), detail: qsTr("发送到电子邮箱") },
                    { code: "onsite", name: qsTr("当场阅读、抄录"), detail: qsTr("到窗口当场查阅") }]
            delegate: ApplyToggle {
                required property var modelData
                objectName: "applyDelivery-" + modelData.code
                Layout.fillWidth: true
                text: modelData.name
                detail: modelData.detail
                fontScale: step.fontScale
                chosen: ApplyWizard.values["delivery"].indexOf(modelData.code) >= 0
                onClicked: ApplyWizard.toggleChoice("delivery", modelData.code)
            }
        }
    }
    StepError { errorKey: "delivery"; errorLabel: qsTr("获取方式") }
}
