// Staff mode (工作人员模式) behind a PIN typed on a large numeric pad; a lockout after repeated wrong
// PINs shows the time left. Unlocked: forms, staff-assisted application, receipts, the print queue,
// printers, outbox and sync, and leaving kiosk mode.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "staffPage"
    route: "staff"
    property string pageTitle: qsTr("工作人员模式")
    readonly property bool wide: width > 1400

    Component.onCompleted: StaffMode.open()

    function jobStateLabel(state: int): string {
        switch (state) {
        case StaffMode.Job.Queued: return qsTr("排队中")
        case StaffMode.Job.Printing: return qsTr("打印中")
        case StaffMode.Job.Done: return qsTr("已完成")
        }
        return qsTr("失败")
    }
    Component.onDestruction: StaffMode.lock()

    Rectangle { anchors.fill: parent; color: Theme.pageBg }

    // ============================================================== the PIN pad
    GridLayout {
        id: pinView
        visible: !StaffMode.unlocked
        anchors.centerIn: parent
        // landscape: what to do on the left, the pad on the right; portrait: one column
        columns: page.wide || page.width > page.height ? 2 : 1
        columnSpacing: Theme.gap * 3
        rowSpacing: Theme.gap
        readonly property real keyHeight: Math.max(80, Math.min(100 * Theme.scale, (page.height - 120) / 5))

        ColumnLayout {
            Layout.alignment: Qt.AlignVCenter
            Layout.preferredWidth: 560
            spacing: Theme.gap
            Label { textFormat: Text.PlainText;
                Layout.alignment: Qt.AlignHCenter
                text: qsTr("工作人员登录")
                font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.primary
            }
            Label { textFormat: Text.PlainText;
                Layout.alignment: Qt.AlignHCenter
                text: qsTr("请输入工作人员密码")
                font.pixelSize: Theme.fontBody; color: Theme.textMuted
            }
            Row {
                objectName: "staffPinDots"
                Layout.alignment: Qt.AlignHCenter
                Layout.preferredHeight: 40
                spacing: 18
                Repeater {
                    model: Math.max(6, StaffMode.pinLength)
                    Rectangle {
                        required property int index
                        width: 30; height: 30; radius: 15
                        color: index < StaffMode.pinLength ? Theme.primary : "transparent"
                        border.width: 3; border.color: Theme.primary
                    }
                }
            }
            Label { textFormat: Text.PlainText;
                objectName: "staffPinMessage"
                Layout.fillWidth: true
                Layout.minimumHeight: Theme.fontBody * 3
                horizontalAlignment: Text.AlignHCenter
                wrapMode: Text.Wrap
                font.pixelSize: Theme.fontBody
                font.bold: true
                color: Theme.highlight
                text: StaffMode.lockedSeconds > 0
                      ? qsTr("密码错误次数过多，已锁定。请 %1 分 %2 秒后再试")
                            .arg(Math.floor(StaffMode.lockedSeconds / 60)).arg(StaffMode.lockedSeconds % 60)
                      : StaffMode.checking ? qsTr("正在校验…") : StaffMode.pinError
            }
            KioskButton {
                objectName: "staffPinSubmit"
                visible: pinView.columns === 2
                Layout.fillWidth: true
                Layout.preferredHeight: pinView.keyHeight
                text: qsTr("确定")
                fontSize: Theme.fontLarge
                enabled: StaffMode.pinLength > 0 && StaffMode.lockedSeconds === 0 && !StaffMode.checking
                onClicked: StaffMode.submitPin()
            }
        }
        GridLayout {
            Layout.alignment: Qt.AlignHCenter | Qt.AlignVCenter
            columns: 3
            rowSpacing: 16
            columnSpacing: 16
            Repeater {
                model: ["1", "2", "3", "4", "5", "6", "7", "8", "9", "clear", "0", "del"]
                delegate: KioskButton {
                    id: pinKey
                    required property string modelData
                    objectName: "staffKey-" + modelData
                    Layout.preferredWidth: pinView.keyHeight * 1.5
                    Layout.preferredHeight: pinView.keyHeight
                    tone: modelData.length === 1 ? "light" : "dark"
                    fontSize: modelData.length === 1 ? Theme.fontHuge : Theme.fontBody
                    text: modelData === "clear" ? qsTr("清空") : modelData === "del" ? qsTr("删除") : modelData
                    enabled: StaffMode.lockedSeconds === 0 && !StaffMode.checking
                    background: Rectangle {
                        radius: Theme.radius
                        color: pinKey.pressed ? "#D9D1C2" : (pinKey.tone === "dark" ? "#E9E3D6" : Theme.cardBg)
                        border.width: 2; border.color: Theme.primary
                    }
                    contentItem: Text { textFormat: Text.PlainText;
                        text: pinKey.text
                        horizontalAlignment: Text.AlignHCenter
                        verticalAlignment: Text.AlignVCenter
                        font.pixelSize: pinKey.fontSize; font.bold: true; color: Theme.primary
                    }
                    onClicked: modelData === "clear" ? StaffMode.clearPin()
                             : modelData === "del" ? StaffMode.deleteDigit() : StaffMode.pressDigit(modelData)
                }
            }
            KioskButton {
                objectName: "staffPinSubmit"
                visible: pinView.columns === 1
                Layout.columnSpan: 3
                Layout.fillWidth: true
                Layout.preferredHeight: pinView.keyHeight
                text: qsTr("确定")
                fontSize: Theme.fontLarge
                enabled: StaffMode.pinLength > 0 && StaffMode.lockedSeconds === 0 && !StaffMode.checking
                onClicked: StaffMode.submitPin()
            }
        }
    }

    // ============================================================== the staff screen
    Flickable {
        id: staffView
        objectName: "staffFlick"
        visible: StaffMode.unlocked
        anchors.fill: parent
        contentWidth: width
        contentHeight: staffGrid.implicitHeight + 60
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { width: 16 }

        GridLayout {
            id: staffGrid
            x: Theme.margin
            y: 24
            width: staffView.width - 2 * Theme.margin
            columns: page.wide ? 2 : 1
            columnSpacing: Theme.gap * 1.5
            rowSpacing: Theme.gap

            // --- title and message -------------------------------------------------------------
            RowLayout {
                Layout.columnSpan: page.wide ? 2 : 1
                Layout.fillWidth: true
                spacing: Theme.gap
                Label { textFormat: Text.PlainText;
                    text: qsTr("工作人员模式")
                    font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.primary
                }
                Label { textFormat: Text.PlainText;
                    objectName: "staffMessage"
                    Layout.fillWidth: true
                    elide: Text.ElideRight
                    text: StaffMode.message
                    font.pixelSize: Theme.fontBody; font.bold: true
                    color: StaffMode.messageOk ? Theme.inForce : Theme.highlight
                }
                KioskButton {
                    objectName: "staffLockButton"
                    tone: "light"
                    text: qsTr("退出工作人员模式")
                    onClicked: { StaffMode.lock(); Nav.home() }
                }
            }

            // --- forms and the staff-assisted application -------------------------------------------
            StaffSection {
                title: qsTr("申请表")
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Flow {
                    Layout.fillWidth: true
                    spacing: Theme.gap
                    KioskButton { objectName: "staffPrintBlank"; text: qsTr("打印空白申请表")
                                  onClicked: StaffMode.printForm("blank") }
                    KioskButton { objectName: "staffPrintSample"; text: qsTr("打印填写样表")
                                  onClicked: StaffMode.printForm("sample") }
                    KioskButton { objectName: "staffProxyApply"; text: qsTr("代为填写申请"); tone: "light"
                                  onClicked: Nav.open("wizard", { proxy: true }) }
                }
            }

            // --- outbox and sync ------------------------------------------------------------------
            StaffSection {
                title: qsTr("数据同步")
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                RowLayout {
                    Layout.fillWidth: true
                    spacing: Theme.gap
                    ColumnLayout {
                        Layout.fillWidth: true
                        Label { textFormat: Text.PlainText;
                            objectName: "staffOutboxCount"
                            text: qsTr("待发送：%1 条").arg(StaffMode.outboxPending)
                            font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.text
                        }
                        Label { textFormat: Text.PlainText;
                            objectName: "staffSyncState"
                            Layout.fillWidth: true
                            wrapMode: Text.Wrap
                            font.pixelSize: Theme.fontBody; color: Theme.textMuted
                            text: (StaffMode.syncState === StaffMode.Sync.NotConfigured ? qsTr("未配置区级服务器")
                                  : StaffMode.syncState === StaffMode.Sync.Syncing ? qsTr("正在同步…")
                                  : StaffMode.syncState === StaffMode.Sync.Failed ? qsTr("上次同步失败")
                                  : qsTr("同步正常"))
                                  + "　" + (StaffMode.lastSync ? qsTr("上次成功：%1").arg(StaffMode.lastSync)
                                                               : qsTr("尚未同步成功"))
                        }
                    }
                    KioskButton {
                        objectName: "staffSyncNow"
                        text: qsTr("立即同步")
                        enabled: StaffMode.syncState !== StaffMode.Sync.Syncing && StaffMode.syncState !== StaffMode.Sync.NotConfigured
                        onClicked: StaffMode.syncNow()
                    }
                }
            }

            // --- recent applications: reprint a receipt ------------------------------------------------
            StaffSection {
                title: qsTr("最近的申请（补打回执）")
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Layout.alignment: Qt.AlignTop
                Label { textFormat: Text.PlainText;
                    visible: recentList.count === 0
                    text: qsTr("暂无申请")
                    font.pixelSize: Theme.fontBody; color: Theme.textMuted
                }
                Repeater {
                    id: recentList
                    model: StaffMode.recentApplications
                    delegate: RowLayout {
                        id: application
                        required property string trackingNo
                        required property string applicant
                        required property string submittedAt
                        required property bool delivered
                        required property bool reprintable
                        Layout.fillWidth: true
                        spacing: Theme.gap
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            Label { textFormat: Text.PlainText; text: application.trackingNo; font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text }
                            Label { textFormat: Text.PlainText;
                                text: application.applicant + "　" + application.submittedAt + "　" + (application.delivered ? qsTr("已送达") : qsTr("待发送"))
                                font.pixelSize: Theme.fontSmall; color: Theme.textMuted
                            }
                        }
                        KioskButton {
                            objectName: "staffReprint-" + application.trackingNo
                            tone: "light"
                            text: qsTr("补打回执")
                            enabled: application.reprintable
                            onClicked: StaffMode.reprintReceipt(application.trackingNo)
                        }
                    }
                }
            }

            // --- the print queue ------------------------------------------------------------------------
            StaffSection {
                title: qsTr("打印队列")
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Layout.alignment: Qt.AlignTop
                Label { textFormat: Text.PlainText;
                    objectName: "staffPrintCap"
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: qsTr("居民打印限额：每位居民每次最多 %1 页（在终端配置中设定，由区信息中心调整）").arg(Terminal.printPageCap)
                    font.pixelSize: Theme.fontBody; color: Theme.text
                }
                Label { textFormat: Text.PlainText;
                    visible: jobList.count === 0
                    text: qsTr("暂无打印任务")
                    font.pixelSize: Theme.fontBody; color: Theme.textMuted
                }
                Repeater {
                    id: jobList
                    model: StaffMode.printJobs
                    delegate: RowLayout {
                        id: job
                        required property string jobId
                        required property string title
                        required property string printer
                        required property int jobState
                        required property string reason
                        required property string createdAt
                        required property bool reprintable
                        Layout.fillWidth: true
                        spacing: Theme.gap
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            Label { textFormat: Text.PlainText; text: job.title; font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text
                                    Layout.fillWidth: true; elide: Text.ElideRight }
                            Label { textFormat: Text.PlainText;
                                objectName: "staffJobState-" + job.jobId
                                Layout.fillWidth: true
                                wrapMode: Text.Wrap
                                text: job.createdAt + "　" + job.printer + "　"
                                      + page.jobStateLabel(job.jobState) + (job.reason ? "：" + job.reason : "")
                                font.pixelSize: Theme.fontSmall
                                color: job.jobState === StaffMode.Job.Failed ? Theme.highlight : Theme.textMuted
                            }
                        }
                        KioskButton {
                            objectName: "staffReprintJob-" + job.jobId
                            visible: job.reprintable
                            tone: "light"
                            text: qsTr("重新打印")
                            onClicked: StaffMode.reprintJob(job.jobId)
                        }
                    }
                }
            }

            // --- printers -------------------------------------------------------------------------------
            StaffSection {
                title: qsTr("打印机")
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Layout.alignment: Qt.AlignTop
                Repeater {
                    model: StaffMode.printers
                    delegate: RowLayout {
                        id: printerRow
                        required property string name
                        required property string role
                        required property int printerState
                        required property string detail
                        Layout.fillWidth: true
                        spacing: Theme.gap
                        Rectangle { width: 22; height: 22; radius: 11
                                    color: printerRow.printerState === StaffMode.Printer.Ok ? Theme.inForce : printerRow.printerState === StaffMode.Printer.Unknown ? "#9E9E9E" : Theme.repealed }
                        ColumnLayout {
                            Layout.fillWidth: true
                            spacing: 2
                            Label { textFormat: Text.PlainText; text: printerRow.name + "（" + (printerRow.role === "a4" ? qsTr("A4") : qsTr("小票")) + "）"
                                    font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text }
                            Label { textFormat: Text.PlainText;
                                Layout.fillWidth: true
                                wrapMode: Text.Wrap
                                text: printerRow.detail || (printerRow.printerState === StaffMode.Printer.Ok ? qsTr("正常")
                                      : printerRow.printerState === StaffMode.Printer.Unknown ? qsTr("状态未知") : qsTr("故障"))
                                font.pixelSize: Theme.fontSmall; color: Theme.textMuted
                            }
                        }
                        KioskButton {
                            objectName: "staffTestPage-" + printerRow.role
                            tone: "light"
                            text: qsTr("打印测试页")
                            onClicked: StaffMode.printTestPage(printerRow.name)
                        }
                    }
                }
            }

            // --- leave kiosk mode -------------------------------------------------------------------------
            StaffSection {
                title: qsTr("终端")
                Layout.fillWidth: true
                Layout.preferredWidth: 400
                Layout.alignment: Qt.AlignTop
                KioskButton { objectName: "staffRefresh"; tone: "light"; text: qsTr("刷新状态")
                              onClicked: StaffMode.refresh() }
                // leaving the kiosk is kept well away from everyday buttons, in red, behind a question
                Item { Layout.preferredHeight: Theme.target * 1.5; Layout.fillWidth: true }
                Rectangle { Layout.fillWidth: true; height: 2; color: Theme.repealed }
                Label { textFormat: Text.PlainText
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: qsTr("危险操作：退出后本机不再显示查询界面，需重新启动终端")
                        font.pixelSize: Theme.fontSmall; font.bold: true; color: Theme.repealed }
                KioskButton { objectName: "staffLeaveKiosk"; tone: "danger"; text: qsTr("退出终端程序")
                              Layout.alignment: Qt.AlignRight
                              onClicked: leaveDialog.open() }
            }
        }
    }

    Dialog {
        id: leaveDialog
        objectName: "staffLeaveDialog"
        anchors.centerIn: parent
        modal: true
        title: qsTr("退出终端程序？")
        width: Math.min(page.width - 80, 760)
        contentItem: Label { textFormat: Text.PlainText;
            text: qsTr("退出后本机将不再显示查询界面，需由工作人员重新启动。")
            wrapMode: Text.Wrap
            font.pixelSize: Theme.fontBody
        }
        footer: RowLayout {
            spacing: Theme.gap
            Item { Layout.fillWidth: true }
            KioskButton { objectName: "staffLeaveCancel"; tone: "light"; text: qsTr("取消"); onClicked: leaveDialog.close() }
            KioskButton { objectName: "staffLeaveConfirm"; tone: "danger"; text: qsTr("确认退出")
                          onClicked: { leaveDialog.close(); StaffMode.leaveKiosk() } }
            Item { Layout.preferredWidth: Theme.gap }
        }
    }

    // refresh the staff screen now and then while it is open
    Timer { interval: 5000; repeat: true; running: StaffMode.unlocked && page.visible; onTriggered: StaffMode.refresh() }
}
