// The core's message for a choice of the application wizard (consent, media, …) in red under it,
// named `applyError-<errorKey>`. The wizard page finds it after a refused step, scrolls to it and says
// `errorLabel` with the message.
import QtQuick
import QtQuick.Controls
import QtQuick.Layouts
import Kiosk
import Kiosk.Backend

Label {
    required property string errorKey
    property string errorLabel: ""
    readonly property string error: ApplyWizard.errors[errorKey] || ""
    objectName: "applyError-" + errorKey
    visible: error !== ""
    text: error
    textFormat: Text.PlainText
    color: Theme.highlight
    font.pixelSize: Theme.px(24)
    font.bold: true
    Layout.fillWidth: true
    wrapMode: Text.Wrap
}
