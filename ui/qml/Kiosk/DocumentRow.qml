// One document in a list: title (two lines at most), 文号 · issuer · date, and a status chip when it is
// no longer in force. An optional rich-text snippet (search results) shows the matched words.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

AbstractButton {
    id: row
    property string docTitle: ""
    property string docNumber: ""
    property string issuer: ""
    property string published: ""
    property string status: "in_force"
    property string snippet: ""
    implicitHeight: Math.max(Theme.target, col.implicitHeight + 36)
    focusPolicy: Qt.NoFocus
    background: Rectangle { color: row.pressed ? "#EFE8DA" : Theme.cardBg; radius: Theme.radius
                            border.color: Theme.cardBorder; border.width: Theme.cardBorderWidth }
    contentItem: RowLayout {
        spacing: 20
        ColumnLayout {
            id: col
            Layout.fillWidth: true
            Layout.leftMargin: 28
            spacing: 8
            Text { Layout.fillWidth: true; text: row.docTitle; font.pixelSize: Theme.fontLarge * 0.9; font.bold: true
                   color: Theme.text; wrapMode: Text.Wrap; maximumLineCount: 2; elide: Text.ElideRight }
            Text { Layout.fillWidth: true; visible: row.snippet !== ""; text: row.snippet; textFormat: Text.StyledText
                   font.pixelSize: Theme.fontBody * 0.92; color: Theme.textMuted; wrapMode: Text.Wrap; maximumLineCount: 2; elide: Text.ElideRight }
            Text { Layout.fillWidth: true; text: [row.docNumber, row.issuer, row.published].filter(function (s) { return s !== "" }).join("  ·  ")
                   font.pixelSize: Theme.fontSmall; color: Theme.textMuted; elide: Text.ElideRight }
        }
        StatusBadge { visible: row.status !== "in_force" && row.status !== ""; status: row.status; Layout.rightMargin: 24 }
        Text { text: "›"; font.pixelSize: Theme.fontHuge; color: Theme.primary; Layout.rightMargin: 24 }
    }
}
