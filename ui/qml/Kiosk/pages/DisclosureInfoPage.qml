// 依申请公开 explained (政府信息公开条例 Articles 29–33): what it is, the steps, what to bring, the
// reply deadline — and the doors into the application wizard and the status lookup.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk

KioskPage {
    id: page
    objectName: "disclosureInfoPage"
    route: "apply"

    PageTitle { id: title; anchors { left: parent.left; right: parent.right; top: parent.top }
                text: qsTr("依申请公开"); note: qsTr("依据《政府信息公开条例》第二十九至三十三条") }
    Flickable {
        id: flick
        objectName: "applyInfoFlick"
        anchors { left: parent.left; right: parent.right; top: title.bottom; bottom: actions.top }
        contentHeight: grid.implicitHeight + 2 * Theme.margin
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { width: 14; policy: flick.contentHeight > flick.height ? ScrollBar.AlwaysOn : ScrollBar.AlwaysOff }
        GridLayout {
            id: grid
            x: Theme.margin; y: Theme.margin * 0.75
            width: flick.width - 2 * Theme.margin
            columns: Theme.portrait || Theme.largeText ? 1 : 2
            columnSpacing: Theme.gap; rowSpacing: Theme.gap

            InfoCard {
                heading: qsTr("什么是依申请公开")
                body: qsTr("公民、法人或者其他组织可以向行政机关申请获取主动公开以外的政府信息。本机可以帮您填写申请，打印回执后由工作人员受理；书面填写确有困难的，可以口头提出，由工作人员代为填写（第二十九条）。")
            }
            InfoCard {
                heading: qsTr("答复期限")
                accent: true
                body: qsTr("能够当场答复的，当场答复；不能当场答复的，自收到申请之日起 20 个工作日内答复。需要延长的，经负责人同意并告知申请人，延长最长不超过 20 个工作日（第三十三条）。申请内容不明确的，行政机关会在 7 个工作日内一次性告知需要补正的事项（第三十条）。征求第三方意见的时间不计入期限（第三十二条）。")
            }
            InfoCard {
                heading: qsTr("办理步骤")
                body: qsTr("① 在本机填写申请（约 5 分钟）\n② 核对信息并确认提交\n③ 打印回执，回执上有受理编号和答复期限\n④ 凭受理编号在本机或向工作人员查询办理进度")
            }
            InfoCard {
                heading: qsTr("需要准备")
                body: qsTr("· 申请人的姓名或者名称、身份证明（身份证号码或统一社会信用代码）、联系方式\n· 所需政府信息的名称、文号，或者便于查找的描述\n· 希望获取信息的形式和方式（纸质、电子；自行领取、邮寄等）")
            }
        }
    }
    MoreBelow { view: flick; anchors { left: flick.left; right: flick.right; bottom: flick.bottom } }
    RowLayout {
        id: actions
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom; margins: Theme.margin }
        spacing: Theme.gap
        KioskButton { objectName: "startWizardButton"; Layout.fillWidth: true; implicitHeight: Theme.target * 1.2
                      text: qsTr("开始填写申请"); fontSize: Theme.fontLarge; onClicked: Nav.open("wizard", {}) }
        KioskButton { objectName: "openStatusButton"; Layout.fillWidth: true; implicitHeight: Theme.target * 1.2; tone: "light"
                      text: qsTr("查询申请进度"); fontSize: Theme.fontLarge; onClicked: Nav.open("status", {}) }
    }
}
