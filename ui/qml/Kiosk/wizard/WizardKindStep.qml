// Step 1 of the application wizard: who applies (公民 / 法人或者其他组织).
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
    spacing: 30
    Label { textFormat: Text.PlainText;
        text: qsTr("请选择申请人类型")
        font.pixelSize: 36 * step.fontScale
        font.bold: true
        color: Theme.text
    }
    GridLayout {
        columns: step.wide ? 2 : 1
        columnSpacing: 30
        rowSpacing: 30
        Layout.fillWidth: true
        Repeater {
            model: [
                { kind: ApplyWizard.Kind.Citizen, name: qsTr("公民"), detail: qsTr("以个人名义申请，需填写居民身份证号码") },
                { kind: ApplyWizard.Kind.Organisation, name: qsTr("法人或者其他组织"),
                  detail: qsTr("以单位名义申请，需填写统一社会信用代码") }
            ]
            delegate: AbstractButton {
                id: kindButton
                required property var modelData
                objectName: modelData.kind === ApplyWizard.Kind.Citizen ? "applyKindCitizen" : "applyKindOrganisation"
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                // as tall as its two lines need (the step's note below stays above the buttons)
                implicitHeight: Math.max(180, implicitContentHeight + 40)
                focusPolicy: Qt.NoFocus
                onClicked: ApplyWizard.chooseKind(modelData.kind)
                background: Rectangle {
                    radius: 18
                    color: kindButton.down ? "#dbe7f8" : "#ffffff"
                    border.width: ApplyWizard.applicantKind === kindButton.modelData.kind ? 5 : 2
                    border.color: ApplyWizard.applicantKind === kindButton.modelData.kind ? Theme.primary : "#9aa5b1"
                }
                contentItem: Column {
                    spacing: 16
                    topPadding: 30
                    Text { textFormat: Text.PlainText;
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        text: kindButton.modelData.name
                        font.pixelSize: 48 * step.fontScale
                        font.bold: true
                        color: Theme.primary
                    }
                    Text { textFormat: Text.PlainText;
                        width: parent.width
                        horizontalAlignment: Text.AlignHCenter
                        text: kindButton.modelData.detail
                        font.pixelSize: Theme.px(26)
                        color: Theme.textMuted
                        wrapMode: Text.Wrap
                    }
                }
            }
        }
    }
    StepError { errorKey: "applicant.kind"; errorLabel: qsTr("申请人类型") }
    Label { textFormat: Text.PlainText;
        Layout.fillWidth: true
        Layout.topMargin: 20
        wrapMode: Text.Wrap
        text: qsTr("依据《中华人民共和国政府信息公开条例》第二十九条提出申请。行政机关不能当场答复的，"
                   + "应当自收到申请之日起20个工作日内予以答复。")
        font.pixelSize: Theme.px(24)
        color: Theme.textMuted
    }
}
