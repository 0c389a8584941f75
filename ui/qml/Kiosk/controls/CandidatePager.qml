// 上一页 / 下一页 over the right end of the Pinyin candidate bar (Main.qml puts it in the InputPanel):
// a resident who does not find her character among the first candidates taps for the next ones,
// instead of swiping a strip. Each tap moves by what is in view, starting with the candidate that was
// cut at the edge. Shown only while the bar holds candidates.
import QtQuick
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: pager
    objectName: "candidatePager"
    property ListView view: null
    property Item panel: null
    readonly property bool barShown: !!view && view.count > 0 && view.y < -1
    readonly property real visibleWidth: view ? view.width - width : 0
    readonly property bool canBack: !!view && view.contentX > view.originX + 1
    readonly property bool canForward: !!view && view.contentX + visibleWidth < view.originX + view.contentWidth - 1

    visible: barShown
    z: 5
    color: "#FFFDF7"
    height: view ? view.height : 0
    width: row.implicitWidth + 16
    // the bar's place in the panel, re-read whenever the bar, the keyboard or the panel moves or resizes
    readonly property var layoutInputs: view && panel
        ? [view.x, view.y, view.width, view.height, view.parent.x, view.parent.y, view.parent.height, panel.width, panel.height]
        : []
    function originIn(inputs: var): point {   // re-evaluated whenever `inputs` change
        return view && panel && inputs.length > 0 ? view.mapToItem(panel, 0, 0) : Qt.point(0, 0)
    }
    readonly property point origin: originIn(layoutInputs)
    x: view ? origin.x + view.width - width : 0
    y: origin.y
    Rectangle { anchors { left: parent.left; top: parent.top; bottom: parent.bottom } width: 2; color: Theme.primary }

    function forward() {
        if (!canForward) return
        var edge = view.contentX + visibleWidth
        var i = view.indexAt(edge - 1, view.height / 2)
        var item = i >= 0 ? view.itemAtIndex(i) : null
        if (i < 0) { view.positionViewAtEnd(); return }
        if (item && item.x <= view.contentX + 1) i += 1   // one candidate wider than the view
        view.positionViewAtIndex(Math.min(i, view.count - 1), ListView.Beginning)
    }
    function back() {
        if (!canBack) return
        var target = view.contentX - visibleWidth
        if (target <= view.originX + 1) { view.positionViewAtBeginning(); return }
        var i = view.indexAt(target + 1, view.height / 2)
        var item = i >= 0 ? view.itemAtIndex(i) : null
        if (item && item.x < target) i += 1                // cut at the left: start with the next one
        view.positionViewAtIndex(Math.max(0, i), ListView.Beginning)
    }

    RowLayout {
        id: row
        anchors { right: parent.right; verticalCenter: parent.verticalCenter; rightMargin: 8 }
        spacing: 8
        KioskButton {
            objectName: "candidatePrev"
            tone: "light"
            text: qsTr("上一页")
            enabled: pager.canBack
            implicitHeight: pager.height - 12
            fontSize: Theme.fontBody
            onClicked: pager.back()
        }
        KioskButton {
            objectName: "candidateNext"
            tone: "primary"
            text: qsTr("下一页")
            enabled: pager.canForward
            implicitHeight: pager.height - 12
            fontSize: Theme.fontBody
            onClicked: pager.forward()
        }
    }
}
