// One document in a list: title (two lines at most), 文号 · issuer · date, and a status chip when it is
// no longer in force. An optional rich-text snippet (search results) shows the matched words.
// Plain anchors instead of layouts and the chip only when needed: lists create many of these.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk
import Kiosk.Backend

AbstractButton {
    id: row
    property string docTitle: ""
    property string docNumber: ""
    property string issuer: ""
    property string published: ""
    property int status: DocumentStatus.Status.InForce
    property string snippet: ""
    property string tag: ""  // a quiet note before 文号 · issuer · date (search: 部分匹配)
    readonly property bool flagged: status === DocumentStatus.Status.Amended || status === DocumentStatus.Status.Repealed
    implicitHeight: Math.max(Theme.target, col.implicitHeight + 36)
    focusPolicy: Qt.NoFocus
    background: Rectangle { color: row.pressed ? "#EFE8DA" : Theme.cardBg; radius: Theme.radius
                            border.color: Theme.cardBorder; border.width: Theme.cardBorderWidth }
    contentItem: Item {
        Column {
            id: col
            anchors { left: parent.left; right: side.left; verticalCenter: parent.verticalCenter; leftMargin: 28; rightMargin: 20 }
            spacing: 8
            Text { width: parent.width; text: row.docTitle; textFormat: Text.PlainText; font.pixelSize: Theme.fontLarge * 0.9; font.bold: true
                   color: Theme.text; wrapMode: Text.Wrap; maximumLineCount: 2; elide: Text.ElideRight }
            // the matched words in context: two lines of a longer body, cut on purpose
            Text { width: parent.width; visible: row.snippet !== ""; text: row.snippet; textFormat: Text.StyledText
                   property bool mayElide: true
                   property bool sanitised: true   // kiosk.search: HTML-escaped text, only <b> marks added
                   font.pixelSize: Theme.px(27 * 0.92); color: Theme.textMuted; wrapMode: Text.Wrap; maximumLineCount: 2; elide: Text.ElideRight }
            Text { width: parent.width; text: [row.tag, row.docNumber, row.issuer, row.published].filter(function (s) { return s !== "" }).join("  ·  ")
                   textFormat: Text.PlainText; font.pixelSize: Theme.fontSmall; color: Theme.textMuted; wrapMode: Text.Wrap }
        }
        Row {
            id: side
            anchors { right: parent.right; verticalCenter: parent.verticalCenter; rightMargin: 24 }
            spacing: 20
            Loader { active: row.flagged; anchors.verticalCenter: parent.verticalCenter
                     sourceComponent: StatusBadge { status: row.status } }
            Text { textFormat: Text.PlainText; text: "›"; font.pixelSize: Theme.fontHuge; color: Theme.primary; anchors.verticalCenter: parent.verticalCenter }
        }
    }
}
