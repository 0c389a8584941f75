// The document reader: title, meta line, a status banner no one can miss for 已修订/已废止 (with the
// replacement and the 解读 one tap away), the body (Markdown or sanitised HTML; links stay inside the
// kiosk), text zoom, read-aloud, attachments, print, the take-away QR code, and for an amended document
// a 已修订 note listing its 历史版本: one tap shows that version's text read-only, marked as no longer valid.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "documentPage"
    route: "document"
    required property string docId
    property real zoom: 1.0
    ready: doc.state === DocumentView.State.Loaded || doc.state === DocumentView.State.Missing
    property string printJob: ""
    property string printState: ""     // "" | preparing | confirm | capped | sending | sent | failed
    property string printMessage: ""
    property int printPages: 0
    property bool startReading: false  // read aloud as soon as it is loaded (`kiosk screenshot --screen document-reading`)

    DocumentView { id: doc; docId: page.docId; onLoadedDocument: { Terminal.noteDocumentOpened(); if (page.startReading) ReadAloud.speak(doc.plainText) } }
    StackView.onDeactivating: ReadAloud.stop()

    Connections {
        target: PrintJobs
        // Only the answers to this page's own request: a document left while its PDF was being made
        // must not offer (or print) its pages here.
        function onPrepared(jobId, pages) {
            if (page.printState !== "preparing" || jobId !== page.printJob) return
            page.printPages = pages
            // always asked, with the page count; over the visit's page allowance: said, not printed
            if (Visit.pagesPrinted + pages > Terminal.printPageCap) { PrintJobs.cancel(jobId); page.printState = "capped" }
            else page.printState = "confirm"
        }
        function onPrintSent(jobId) { if (jobId === page.printJob) { page.printState = "sent" } }
        function onPrintFailed(jobId, reason) {
            if (page.printState === "" || jobId !== page.printJob) return
            page.printState = "failed"; page.printMessage = reason
        }
    }

    GridLayout {
        anchors.fill: parent
        anchors.margins: Theme.margin * 0.75
        columns: Theme.portrait ? 1 : 2
        rowSpacing: Theme.gap; columnSpacing: Theme.gap

        // --- side panel (landscape: right column; portrait: a band on top) -----------------------
        Card {
            id: side
            Layout.row: Theme.portrait ? 0 : 0
            Layout.column: Theme.portrait ? 0 : 1
            Layout.preferredWidth: Theme.portrait ? -1 : Math.round(440 * Theme.scale)
            Layout.fillWidth: Theme.portrait
            Layout.fillHeight: !Theme.portrait
            implicitHeight: sideGrid.implicitHeight + 48
            GridLayout {
                id: sideGrid
                anchors { left: parent.left; right: parent.right; top: parent.top; margins: 24 }
                columns: Theme.portrait ? 2 : 1
                columnSpacing: Theme.gap; rowSpacing: 16
                ColumnLayout {
                    Layout.fillWidth: true
                    spacing: 14
                    RowLayout {
                        Layout.fillWidth: true
                        spacing: 12
                        KioskButton { objectName: "zoomOut"; text: qsTr("A－"); tone: "light"; Layout.fillWidth: true; enabled: page.zoom > 0.8
                                      onClicked: page.zoom = Math.max(0.8, page.zoom - 0.2) }
                        KioskButton { objectName: "zoomIn"; text: qsTr("A＋"); tone: "light"; Layout.fillWidth: true; enabled: page.zoom < 2.0
                                      onClicked: page.zoom = Math.min(2.0, page.zoom + 0.2) }
                    }
                    // 打印 stays where it is whatever the read-aloud controls below it show
                    KioskButton { objectName: "printButton"; Layout.fillWidth: true; text: qsTr("打印本文件")
                                  enabled: doc.loaded && !doc.viewingEarlier && page.printState !== "preparing" && page.printState !== "sending"
                                  onClicked: { page.printState = "preparing"; page.printMessage = ""; page.printJob = PrintJobs.prepare(page.docId) } }
                    // while reading, its place is taken by 暂停/继续 + 停止 and the speed buttons
                    KioskButton { objectName: "readAloudButton"; Layout.fillWidth: true; tone: "light"
                                  visible: !ReadAloud.speaking
                                  enabled: ReadAloud.available && doc.loaded
                                  text: ReadAloud.available ? qsTr("朗读全文") : qsTr("朗读（本机未配置语音）")
                                  // from the paragraph at the top of the reader onward
                                  onClicked: ReadAloud.speakFrom(doc.plainText, reader.contentHeight > 0 ? reader.contentY / reader.contentHeight : 0) }
                    RowLayout {
                        objectName: "readAloudControls"
                        Layout.fillWidth: true
                        visible: ReadAloud.speaking
                        spacing: 12
                        KioskButton { objectName: "readAloudPause"; Layout.fillWidth: true; tone: "light"
                                      text: ReadAloud.paused ? qsTr("继续") : qsTr("暂停")
                                      onClicked: ReadAloud.paused ? ReadAloud.resume() : ReadAloud.pause() }
                        KioskButton { objectName: "readAloudStop"; Layout.fillWidth: true; tone: "light"; text: qsTr("停止")
                                      onClicked: ReadAloud.stop() }
                    }
                    RowLayout {
                        objectName: "readAloudRates"
                        Layout.fillWidth: true
                        visible: ReadAloud.speaking
                        spacing: 12
                        Repeater {
                            model: [{ key: "slow", label: qsTr("慢速") }, { key: "normal", label: qsTr("正常") }, { key: "fast", label: qsTr("快速") }]
                            delegate: KioskButton { required property var modelData
                                                    objectName: "readAloudRate-" + modelData.key; Layout.fillWidth: true
                                                    tone: ReadAloud.rate === modelData.key ? "primary" : "light"
                                                    text: modelData.label
                                                    onClicked: ReadAloud.rate = modelData.key }
                        }
                    }
                    Text { textFormat: Text.PlainText; Layout.fillWidth: true; wrapMode: Text.Wrap; objectName: "readAloudStatus"
                           visible: ReadAloud.speaking || ReadAloud.note !== ""
                           font.pixelSize: Theme.fontSmall; color: ReadAloud.note !== "" ? Theme.repealed : Theme.textMuted
                           text: ReadAloud.note !== "" ? ReadAloud.note
                               : ReadAloud.paused ? qsTr("已暂停（第 %1 段，共 %2 段）").arg(ReadAloud.paragraph + 1).arg(ReadAloud.paragraphCount)
                               : qsTr("正在朗读第 %1 段，共 %2 段").arg(ReadAloud.paragraph + 1).arg(ReadAloud.paragraphCount) }
                    Repeater {
                        model: doc.attachments
                        delegate: KioskButton {
                            required property var modelData
                            required property int index
                            objectName: "attachmentButton-" + index
                            Layout.fillWidth: true
                            tone: "light"
                            enabled: modelData.present && modelData.isPdf
                            text: qsTr("附件：") + modelData.name
                            fontSize: Theme.fontBody * 0.9
                            onClicked: Nav.open("attachment", { docId: page.docId, attachmentIndex: index })
                        }
                    }
                    Text { textFormat: Text.PlainText; Layout.fillWidth: true; visible: page.printState !== ""; objectName: "printStatus"; wrapMode: Text.Wrap
                           font.pixelSize: Theme.fontBody; font.bold: true
                           color: page.printState === "failed" || page.printState === "capped" ? Theme.repealed : page.printState === "sent" ? Theme.inForce : Theme.text
                           text: page.printState === "preparing" || page.printState === "sending" ? qsTr("正在准备打印…")
                               : page.printState === "sent" ? qsTr("已发送到打印机，请在打印机出纸口取件")
                               : page.printState === "failed" ? qsTr("打印机故障，请联系工作人员（%1）").arg(page.printMessage)
                               : page.printState === "confirm" ? qsTr("本文件共 %1 页").arg(page.printPages)
                               : page.printState === "capped" ? qsTr("本文件共 %1 页，超出每位居民每次可打印的 %2 页（已打印 %3 页）。可扫码带走，或请工作人员协助打印。")
                                                                .arg(page.printPages).arg(Terminal.printPageCap).arg(Visit.pagesPrinted)
                               : "" }
                }
                ColumnLayout {
                    Layout.fillWidth: true
                    Layout.alignment: Qt.AlignHCenter | Qt.AlignTop
                    spacing: 8
                    Image {
                        objectName: "qrImage"
                        readonly property bool loaded: status === Image.Ready
                        Layout.alignment: Qt.AlignHCenter
                        visible: doc.qrSource !== ""
                        source: doc.qrSource
                        readonly property int qrSide: Math.round(240 * Theme.scale)
                        sourceSize.width: qrSide
                        sourceSize.height: qrSide
                        Layout.preferredWidth: qrSide; Layout.preferredHeight: qrSide
                        fillMode: Image.PreserveAspectFit
                        asynchronous: true
                        smooth: false
                    }
                    Text { textFormat: Text.PlainText; Layout.fillWidth: true; horizontalAlignment: Text.AlignHCenter; wrapMode: Text.Wrap
                           font.pixelSize: Theme.fontSmall; color: Theme.textMuted
                           text: doc.qrSource !== "" ? qsTr("用手机扫码，带走本文件") : qsTr("本文件暂无网上地址，可打印带走") }
                }
            }
        }

        // --- the document itself ---------------------------------------------------------------
        Card {
            Layout.row: Theme.portrait ? 1 : 0
            Layout.column: 0
            Layout.fillWidth: true
            Layout.fillHeight: true
            Flickable {
                id: reader
                objectName: "reader"
                anchors.fill: parent
                anchors.margins: 4
                clip: true
                contentHeight: body.implicitHeight + 80
                boundsBehavior: Flickable.StopAtBounds
                flickableDirection: Flickable.VerticalFlick
                ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AlwaysOn }
                ColumnLayout {
                    id: body
                    x: 40; y: 32
                    width: reader.width - 96
                    spacing: 18
                    Text { textFormat: Text.PlainText; objectName: "docTitle"; Layout.fillWidth: true; text: doc.title; wrapMode: Text.Wrap
                           horizontalAlignment: Text.AlignHCenter
                           font.pixelSize: Math.round(Theme.fontTitle * page.zoom); font.bold: true; color: Theme.text }
                    Text { textFormat: Text.PlainText; objectName: "docMeta"; Layout.fillWidth: true; wrapMode: Text.Wrap; horizontalAlignment: Text.AlignHCenter
                           font.pixelSize: Math.round(Theme.fontSmall * Math.max(1, page.zoom)); color: Theme.textMuted
                           text: [doc.docNumber, doc.issuer,
                                  doc.published ? qsTr("发布：%1").arg(doc.published) : "",
                                  doc.effective ? qsTr("施行：%1").arg(doc.effective) : "",
                                  doc.zoneName ? qsTr("适用：%1").arg(doc.zoneName) : ""].filter(function (s) { return s !== "" }).join("    ") }
                    RowLayout {
                        Layout.alignment: Qt.AlignHCenter
                        visible: doc.loaded && !doc.viewingEarlier
                        spacing: 12
                        StatusBadge { objectName: "docStatusChip"; status: doc.status; fontSize: Math.round(Theme.fontBody * page.zoom) }
                        Repeater { model: doc.categories
                                   delegate: Text { textFormat: Text.PlainText; required property string modelData; text: modelData; font.pixelSize: Math.round(Theme.fontSmall * Math.max(1, page.zoom)); color: Theme.textMuted } }
                    }

                    // the status banner: impossible to miss
                    Rectangle {
                        objectName: "statusBanner"
                        Layout.fillWidth: true
                        visible: doc.loaded && !doc.inForce && !doc.viewingEarlier
                        implicitHeight: bannerCol.implicitHeight + 40
                        radius: Theme.radius
                        color: Theme.statusColor(doc.status)
                        ColumnLayout {
                            id: bannerCol
                            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
                            spacing: 12
                            Text { textFormat: Text.PlainText; objectName: "statusBannerText"; Layout.fillWidth: true; wrapMode: Text.Wrap; color: "white"
                                   font.pixelSize: Math.round(Theme.fontLarge * page.zoom); font.bold: true
                                   text: doc.status === DocumentStatus.Status.Repealed ? qsTr("注意：本文件已废止，不再执行") : qsTr("注意：本文件已修订，请以修订后的文件为准") }
                            KioskButton {
                                objectName: "replacementButton"; fontSize: Math.round(Theme.fontBody * page.zoom)
                                visible: doc.replacedBy.docId !== undefined
                                Layout.fillWidth: true
                                tone: "light"
                                text: qsTr("查看现行文件：") + (doc.replacedBy.described || "")
                                onClicked: Nav.open("document", { docId: doc.replacedBy.docId })
                            }
                        }
                    }
                    // an earlier version on screen: marked as no longer valid, one tap back to the current text
                    Rectangle {
                        objectName: "earlierBanner"
                        Layout.fillWidth: true
                        visible: doc.viewingEarlier
                        implicitHeight: earlierCol.implicitHeight + 40
                        radius: Theme.radius
                        color: Theme.amended
                        ColumnLayout {
                            id: earlierCol
                            anchors { left: parent.left; right: parent.right; verticalCenter: parent.verticalCenter; margins: 28 }
                            spacing: 12
                            Text { textFormat: Text.PlainText; objectName: "earlierBannerText"; Layout.fillWidth: true; wrapMode: Text.Wrap; color: "white"
                                   font.pixelSize: Math.round(Theme.fontLarge * page.zoom); font.bold: true
                                   text: qsTr("历史版本（已被修订，不再有效）") }
                            Text { textFormat: Text.PlainText; objectName: "earlierBannerWhich"; Layout.fillWidth: true; wrapMode: Text.Wrap; color: "white"
                                   font.pixelSize: Math.round(Theme.fontBody * page.zoom)
                                   text: qsTr("第 %1 版，%2 被修订").arg(doc.shownVersion).arg(doc.shownAmendedOn) }
                            KioskButton { objectName: "currentVersionButton"; fontSize: Math.round(Theme.fontBody * page.zoom)
                                          Layout.fillWidth: true; tone: "light"; text: qsTr("返回现行版本")
                                          onClicked: { doc.showCurrent(); reader.contentY = 0 } }
                        }
                    }
                    // an amended document: the 已修订 note and its earlier versions
                    ColumnLayout {
                        objectName: "revisedNote"
                        Layout.fillWidth: true
                        visible: doc.loaded && !doc.viewingEarlier && doc.history.length > 0
                        spacing: 12
                        Text { textFormat: Text.PlainText; objectName: "revisedNoteText"; Layout.fillWidth: true; wrapMode: Text.Wrap
                               font.pixelSize: Math.round(Theme.fontBody * page.zoom); font.bold: true; color: Theme.amended
                               text: qsTr("已修订：以上为修订后的现行版本；修订前的历史版本如下（仅供查阅）") }
                        Flow {
                            Layout.fillWidth: true
                            spacing: 12
                            Repeater {
                                model: doc.history
                                delegate: KioskButton { required property var modelData; required property int index
                                                        objectName: "historyButton-" + index; tone: "light"
                                                        fontSize: Math.round(Theme.fontBody * page.zoom)
                                                        text: qsTr("历史版本 第%1版（%2 修订）").arg(modelData.version).arg(modelData.date)
                                                        onClicked: { doc.showVersion(modelData.version); reader.contentY = 0 } }
                            }
                        }
                    }
                    // links to the 解读 and to what this one interprets / replaced
                    Repeater {
                        model: doc.interpretations
                        delegate: KioskButton { required property var modelData; required property int index
                                                objectName: "interpretationButton-" + index; fontSize: Math.round(Theme.fontBody * page.zoom)
                                                Layout.fillWidth: true; tone: "light"; text: qsTr("政策解读：") + modelData.title
                                                onClicked: Nav.open("document", { docId: modelData.docId }) }
                    }
                    KioskButton { objectName: "interpretsButton"; fontSize: Math.round(Theme.fontBody * page.zoom); visible: doc.interprets.docId !== undefined; Layout.fillWidth: true; tone: "light"
                                  text: qsTr("解读的原文件：") + (doc.interprets.title || "")
                                  onClicked: Nav.open("document", { docId: doc.interprets.docId }) }
                    KioskButton { objectName: "supersedesButton"; fontSize: Math.round(Theme.fontBody * page.zoom); visible: doc.supersedes.docId !== undefined; Layout.fillWidth: true; tone: "light"
                                  text: qsTr("本文件替代了：") + (doc.supersedes.described || "")
                                  onClicked: Nav.open("document", { docId: doc.supersedes.docId }) }

                    Rectangle { Layout.fillWidth: true; height: 2; color: Theme.cardBorder }
                    Text {
                        objectName: "docBody"
                        Layout.fillWidth: true
                        text: doc.body
                        // the only rich text on the screens: the body went through kiosk.richtext.body_html
                        // (allow-listed tags, no image, style or URL)
                        property bool sanitised: true
                        textFormat: Text.RichText
                        wrapMode: Text.Wrap
                        lineHeight: 1.45
                        font.pixelSize: Math.round(Theme.fontBody * page.zoom)
                        color: Theme.text
                        onLinkActivated: function (link) {
                            if (link.indexOf("doc:") === 0) Nav.open("document", { docId: link.substring(4) })
                            else Nav.say(qsTr("本机不打开外部网页，请扫描二维码在手机上查看"))
                        }
                    }
                    Text { textFormat: Text.PlainText; Layout.fillWidth: true; visible: doc.state === DocumentView.State.Missing; objectName: "docMissing"
                           text: qsTr("本机暂未收录该文件，请联系工作人员"); font.pixelSize: Math.round(Theme.fontLarge * page.zoom); color: Theme.repealed }
                }
            }
        }
    }

    Popup {
        id: confirmPrint
        objectName: "printConfirm"
        visible: page.printState === "confirm"
        modal: true
        closePolicy: Popup.NoAutoClose
        anchors.centerIn: Overlay.overlay
        width: Math.min(page.width - 80, 900)
        padding: 40
        background: Rectangle { radius: Theme.radius; color: Theme.cardBg; border.color: Theme.headerBg; border.width: 4 }
        contentItem: ColumnLayout {
            spacing: Theme.gap
            Text { textFormat: Text.PlainText; Layout.fillWidth: true; wrapMode: Text.Wrap; font.pixelSize: Theme.fontLarge; font.bold: true; color: Theme.text
                   objectName: "printConfirmText"
                   text: qsTr("本文件共 %1 页，确定打印吗？").arg(page.printPages) }
            Text { textFormat: Text.PlainText; Layout.fillWidth: true; wrapMode: Text.Wrap; font.pixelSize: Theme.fontBody; color: Theme.textMuted
                   text: qsTr("每位居民每次最多打印 %1 页，本次已打印 %2 页。").arg(Terminal.printPageCap).arg(Visit.pagesPrinted) }
            RowLayout {
                spacing: Theme.gap
                KioskButton { objectName: "printConfirmYes"; Layout.fillWidth: true; text: qsTr("确定打印")
                              onClicked: { page.printState = "sending"; Visit.pagesPrinted += page.printPages; PrintJobs.confirm(page.printJob) } }
                KioskButton { objectName: "printConfirmNo"; Layout.fillWidth: true; tone: "light"; text: qsTr("取消")
                              onClicked: { PrintJobs.cancel(page.printJob); page.printState = "" } }
            }
        }
    }
}
