// 申请进度查询: tracking number + phone → the district's answer when it can be reached (said plainly
// when it cannot), and what this terminal itself knows (submitted here; delivered or still waiting).
// The number may be typed loosely (no hyphens, lower case, O for 0) or, where the terminal has a
// camera, read from the receipt's QR code (QrScanner, ui/qrscan.py).
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtMultimedia
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "statusLookupPage"
    route: "status"
    hasInput: (StatusLookup.trackingNumber !== "" || StatusLookup.phone !== "") && StatusLookup.state !== StatusLookup.State.Done
    property string pageTitle: qsTr("申请进度查询")
    readonly property bool wide: width > 1400

    Component.onCompleted: StatusLookup.reset()
    Connections {
        target: StatusLookup
        function onStateChanged() {
            if (StatusLookup.state === StatusLookup.State.Done)
                Qt.callLater(function () {
                    flick.contentY = Math.max(0, Math.min(flick.contentHeight - flick.height, serverCard.y - 20))
                })
        }
    }
    Component.onDestruction: StatusLookup.reset()

    Rectangle { anchors.fill: parent; color: Theme.pageBg }

    Flickable {
        id: flick
        anchors.fill: parent
        contentWidth: width
        contentHeight: column.implicitHeight + 80
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        ScrollBar.vertical: ScrollBar { width: 16 }
        onHeightChanged: page.ensureVisible(page.focusedField)

        ColumnLayout {
            id: column
            x: Math.max(Theme.margin, (flick.width - width) / 2)
            y: 36
            width: Math.min(flick.width - 2 * Theme.margin, 1500)
            spacing: Theme.gap

            Label { textFormat: Text.PlainText;
                text: qsTr("申请进度查询")
                font.pixelSize: Theme.fontTitle; font.bold: true; color: Theme.primary
            }
            Label { textFormat: Text.PlainText;
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                text: qsTr("请输入回执上的受理编号和申请时填写的联系电话。编号中的横线可以不输，字母不分大小写。")
                font.pixelSize: Theme.fontBody; color: Theme.textMuted
            }

            // a terminal with a camera (高拍仪): the receipt's QR code instead of typing the number
            KioskButton {
                objectName: "statusScanButton"
                visible: scanner.available
                tone: "light"
                glyph: "▣"
                text: qsTr("扫描回执上的二维码")
                onClicked: { KeyEntry.hideAll(); scanPopup.open() }
            }

            GridLayout {
                Layout.fillWidth: true
                columns: page.wide ? 3 : 1
                columnSpacing: 40
                rowSpacing: Theme.gap
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 400
                    Label { textFormat: Text.PlainText; text: qsTr("受理编号"); font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text }
                    TextField {
                        id: trackingField
                        objectName: "statusTrackingField"
                        Layout.fillWidth: true
                        Layout.preferredHeight: Theme.target
                        text: StatusLookup.trackingNumber
                        placeholderText: qsTr("如 WB01-20261127-0007")
                        // typed on the kiosk's code pad: letters and digits directly, no Pinyin candidates
                        readOnly: true
                        selectByMouse: false
                        onCursorPositionChanged: KeyEntry.keepAtEnd(this)
                        PadCursor { field: trackingField }
                        font.pixelSize: Theme.fontLarge
                        color: Theme.text
                        onTextChanged: StatusLookup.trackingNumber = text
                        onActiveFocusChanged: page.padFocus(this, "code")
                        onAccepted: phoneField.forceActiveFocus()
                        Component.onDestruction: KeyEntry.release(this)
                        background: Rectangle { radius: 10; color: "#FFFFFF"; border.width: parent.activeFocus ? 3 : 2
                                                border.color: parent.activeFocus ? Theme.primary : "#8A8378" }
                    }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.preferredWidth: 400
                    Label { textFormat: Text.PlainText; text: qsTr("联系电话"); font.pixelSize: Theme.fontBody; font.bold: true; color: Theme.text }
                    TextField {
                        id: phoneField
                        objectName: "statusPhoneField"
                        Layout.fillWidth: true
                        Layout.preferredHeight: Theme.target
                        text: StatusLookup.phone
                        placeholderText: qsTr("申请时填写的电话")
                        readOnly: true
                        selectByMouse: false
                        onCursorPositionChanged: KeyEntry.keepAtEnd(this)
                        PadCursor { field: phoneField }
                        font.pixelSize: Theme.fontLarge
                        color: Theme.text
                        onTextChanged: StatusLookup.phone = text
                        onActiveFocusChanged: page.padFocus(this, "phone")
                        onAccepted: { KeyEntry.close(); StatusLookup.query() }
                        Component.onDestruction: KeyEntry.release(this)
                        background: Rectangle { radius: 10; color: "#FFFFFF"; border.width: parent.activeFocus ? 3 : 2
                                                border.color: parent.activeFocus ? Theme.primary : "#8A8378" }
                    }
                }
                RowLayout {
                    spacing: Theme.gap
                    Layout.alignment: Qt.AlignBottom
                    KioskButton {
                        objectName: "statusQueryButton"
                        text: StatusLookup.state === StatusLookup.State.Asking ? qsTr("正在查询…") : qsTr("查询")
                        fontSize: Theme.fontLarge
                        enabled: StatusLookup.state !== StatusLookup.State.Asking
                        Layout.preferredWidth: 260
                        onClicked: { KeyEntry.hideAll(); StatusLookup.query() }
                    }
                    BusyIndicator { running: StatusLookup.state === StatusLookup.State.Asking; visible: running
                                    Layout.preferredWidth: Theme.target; Layout.preferredHeight: Theme.target }
                }
            }

            Label { textFormat: Text.PlainText;
                objectName: "statusInputError"
                visible: StatusLookup.state === StatusLookup.State.Invalid
                text: StatusLookup.inputError
                color: Theme.highlight
                font.pixelSize: Theme.fontBody
            }

            // --- the district's answer ---
            Rectangle {
                id: serverCard
                objectName: "statusServerCard"
                visible: StatusLookup.state === StatusLookup.State.Done
                Layout.fillWidth: true
                implicitHeight: serverColumn.implicitHeight + 48
                radius: Theme.radius
                color: Theme.cardBg
                border.width: StatusLookup.serverState === StatusLookup.Server.Answered ? 3 : 2
                border.color: StatusLookup.serverState === StatusLookup.Server.Answered ? Theme.inForce
                            : StatusLookup.serverState === StatusLookup.Server.Offline ? Theme.amended : Theme.cardBorder
                ColumnLayout {
                    id: serverColumn
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                    spacing: 10
                    Label { textFormat: Text.PlainText; text: qsTr("区政务公开办的办理情况"); font.pixelSize: Theme.fontBody; color: Theme.textMuted }
                    Label { textFormat: Text.PlainText;
                        objectName: "statusServerText"
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: StatusLookup.serverState === StatusLookup.Server.Offline ? Theme.amended : Theme.text
                        text: StatusLookup.serverState === StatusLookup.Server.Answered ? StatusLookup.serverStatus
                            : StatusLookup.serverState === StatusLookup.Server.Offline
                              ? qsTr("目前无法连接区政务公开办，请稍后再试或咨询工作人员")
                            : StatusLookup.serverState === StatusLookup.Server.NotFound
                              ? qsTr("区政务公开办暂未查到该申请，请核对受理编号和联系电话")
                            : StatusLookup.serverState === StatusLookup.Server.NotConfigured
                              ? qsTr("本终端暂未接入区政务公开办，无法在线查询，请咨询工作人员")
                            : qsTr("查询暂时出错，请稍后再试或咨询工作人员")
                    }
                    Label { textFormat: Text.PlainText;
                        objectName: "statusServerDates"
                        visible: StatusLookup.serverState === StatusLookup.Server.Answered
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: (StatusLookup.serverReceived ? qsTr("受理时间：%1　　").arg(StatusLookup.serverReceived) : "")
                              + (StatusLookup.serverDeadline ? qsTr("答复期限：%1").arg(StatusLookup.serverDeadlineText) : "")
                        font.pixelSize: Theme.fontBody; color: Theme.text
                    }
                    Label { textFormat: Text.PlainText;
                        objectName: "statusServerDetails"
                        visible: StatusLookup.serverState === StatusLookup.Server.Answered && text !== ""
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: StatusLookup.serverDetails
                        font.pixelSize: Theme.fontBody; color: Theme.text
                    }
                    Label { textFormat: Text.PlainText;
                        objectName: "statusServerNextStep"
                        visible: StatusLookup.serverState === StatusLookup.Server.Answered && text !== ""
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        text: StatusLookup.serverNextStep ? qsTr("下一步：%1").arg(StatusLookup.serverNextStep) : ""
                        font.pixelSize: Theme.fontBody; color: Theme.text
                    }
                }
            }

            // --- what this terminal knows ---
            Rectangle {
                objectName: "statusLocalCard"
                visible: StatusLookup.state === StatusLookup.State.Done
                Layout.fillWidth: true
                implicitHeight: localColumn.implicitHeight + 48
                radius: Theme.radius
                color: Theme.cardBg
                border.width: Theme.cardBorderWidth + 1
                border.color: Theme.cardBorder
                ColumnLayout {
                    id: localColumn
                    anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                    spacing: 10
                    Label { textFormat: Text.PlainText; text: qsTr("本终端的记录"); font.pixelSize: Theme.fontBody; color: Theme.textMuted }
                    Label { textFormat: Text.PlainText;
                        objectName: "statusLocalText"
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontLarge
                        font.bold: true
                        color: Theme.text
                        text: StatusLookup.localState === StatusLookup.Local.Delivered
                              ? qsTr("该申请在本终端提交，已送达区政务公开办")
                            : StatusLookup.localState === StatusLookup.Local.Waiting
                              ? qsTr("该申请在本终端提交，正在等待发送到区政务公开办（联网后自动发送，无需重新申请）")
                            : StatusLookup.serverState === StatusLookup.Server.Answered
                              ? qsTr("本终端没有该申请的记录（可能在其他地点提交）")
                            : qsTr("没有查到，请核对编号或询问工作人员")
                    }
                    Label { textFormat: Text.PlainText;
                        visible: StatusLookup.localState !== StatusLookup.Local.Unknown
                        Layout.fillWidth: true
                        wrapMode: Text.Wrap
                        font.pixelSize: Theme.fontBody; color: Theme.text
                        text: qsTr("提交时间：%1　　答复期限：%2").arg(StatusLookup.localSubmittedAt)
                                                              .arg(StatusLookup.localDeadlineText)
                    }
                }
            }
        }
    }

    QrScanner {
        id: scanner
        onScanned: function (trackingNumber) {
            scanPopup.close()
            StatusLookup.trackingNumber = trackingNumber
            phoneField.forceActiveFocus()
        }
    }
    Popup {
        id: scanPopup
        objectName: "statusScanPopup"
        modal: true
        anchors.centerIn: parent
        width: Math.min(page.width - 2 * Theme.margin, 1000)
        padding: 32
        onOpened: scanner.start(preview.videoSink)
        onClosed: scanner.stop()
        contentItem: ColumnLayout {
            spacing: Theme.gap
            Label { textFormat: Text.PlainText
                    Layout.fillWidth: true
                    wrapMode: Text.Wrap
                    text: qsTr("请把回执上的二维码放到摄像头下面，对准后稍等片刻")
                    font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.text }
            VideoOutput {
                id: preview
                Layout.fillWidth: true
                Layout.preferredHeight: width * 9 / 16
                fillMode: VideoOutput.PreserveAspectFit
            }
            KioskButton { objectName: "statusScanCancel"; tone: "light"; text: qsTr("不扫了，手动输入")
                          Layout.alignment: Qt.AlignRight; onClicked: scanPopup.close() }
        }
    }

    property Item focusedField: null
    function padFocus(field, kind) {
        if (field.activeFocus) { KeyEntry.open(field, kind); page.focusedField = field; Qt.callLater(page.ensureVisible, field) }
        else KeyEntry.release(field)
    }
    function ensureVisible(item) {
        if (!item) return
        var p = item.mapToItem(flick.contentItem, 0, 0)
        if (p.y + item.height + 20 > flick.contentY + flick.height)
            flick.contentY = Math.min(Math.max(0, flick.contentHeight - flick.height), p.y + item.height + 20 - flick.height)
        else if (p.y < flick.contentY)
            flick.contentY = Math.max(0, p.y - 20)
    }
}
