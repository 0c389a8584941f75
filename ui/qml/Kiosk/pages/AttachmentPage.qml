// A PDF attachment in Qt PDF's viewer (rendering happens on Qt PDF's own threads), with big buttons for
// the previous/next page and zoom — no pinch or double-tap needed.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import QtQuick.Pdf
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "attachmentPage"
    route: "attachment"
    required property string docId
    property int attachmentIndex: 0
    readonly property var attachment: doc.attachments.length > attachmentIndex ? doc.attachments[attachmentIndex] : null
    readonly property int pageCount: pdf.pageCount
    readonly property int currentPage: viewer.currentPage
    ready: pdf.status === PdfDocument.Ready || pdf.status === PdfDocument.Error || doc.state === DocumentView.State.Missing

    DocumentView { id: doc; docId: page.docId }
    PdfDocument { id: pdf; objectName: "pdfDocument"; source: page.attachment && page.attachment.url ? page.attachment.url : "" }

    PageTitle { id: title; anchors { left: parent.left; right: parent.right; top: parent.top }
                text: page.attachment ? page.attachment.name : qsTr("附件")
                note: pdf.pageCount > 0 ? qsTr("第 %1 / %2 页").arg(viewer.currentPage + 1).arg(pdf.pageCount) : "" }

    PdfMultiPageView {
        id: viewer
        objectName: "pdfView"
        anchors { left: parent.left; right: parent.right; top: title.bottom; bottom: bar.top; margins: 12 }
        document: pdf
    }
    function fit() { if (pdf.status === PdfDocument.Ready && viewer.width > 0 && viewer.height > 0) viewer.scaleToWidth(viewer.width, viewer.height) }
    Connections { target: pdf; function onStatusChanged() { page.fit() } }
    StackView.onActivated: fit()

    Text { textFormat: Text.PlainText; anchors.centerIn: viewer; visible: pdf.status === PdfDocument.Error; text: qsTr("附件无法打开，请联系工作人员")
           font.pixelSize: Theme.fontLarge; color: Theme.repealed }

    Rectangle {
        id: bar
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        implicitHeight: Theme.target + 32
        color: Theme.cardBg
        RowLayout {
            anchors { fill: parent; margins: 16; leftMargin: Theme.margin; rightMargin: Theme.margin }
            spacing: Theme.gap
            KioskButton { objectName: "pdfPrev"; Layout.fillWidth: true; text: qsTr("上一页"); enabled: viewer.currentPage > 0
                          onClicked: viewer.goToPage(viewer.currentPage - 1) }
            KioskButton { objectName: "pdfNext"; Layout.fillWidth: true; text: qsTr("下一页"); enabled: viewer.currentPage < pdf.pageCount - 1
                          onClicked: viewer.goToPage(viewer.currentPage + 1) }
            KioskButton { objectName: "pdfZoomOut"; Layout.fillWidth: true; tone: "light"; text: qsTr("缩小")
                          onClicked: viewer.renderScale = Math.max(0.3, viewer.renderScale / 1.25) }
            KioskButton { objectName: "pdfZoomIn"; Layout.fillWidth: true; tone: "light"; text: qsTr("放大")
                          onClicked: viewer.renderScale = Math.min(5, viewer.renderScale * 1.25) }
            KioskButton { objectName: "pdfFit"; Layout.fillWidth: true; tone: "light"; text: qsTr("适合宽度")
                          onClicked: page.fit() }
        }
    }
}
