// A category's documents: thousands scroll kinetically, loaded a page at a time on the worker as the
// list nears its end (DocumentListModel.fetchMore); filters for year, issuer, zone and status; sort.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls
import Kiosk
import Kiosk.Backend

KioskPage {
    id: page
    objectName: "categoryPage"
    route: "category"
    required property string categoryCode
    required property string categoryName
    ready: docs.total >= 0 && !docs.fetching

    DocumentListModel { id: docs; category: page.categoryCode }

    PageTitle { id: title; anchors { left: parent.left; right: parent.right; top: parent.top }
                text: page.categoryName; note: docs.total >= 0 ? qsTr("共 %1 条").arg(docs.total) : qsTr("正在加载…") }

    Flow {
        id: filters
        anchors { left: parent.left; right: parent.right; top: title.bottom; margins: Theme.margin; topMargin: Theme.gap }
        spacing: 16
        FilterButton { objectName: "filterYear"; label: qsTr("年份"); valueText: docs.year ? String(docs.year) : qsTr("全部"); active: docs.year > 0
                       onClicked: { picker.open3(qsTr("选择年份"), [{label: qsTr("全部年份"), value: 0}].concat(docs.years.map(function (y) { return {label: y + qsTr("年"), value: y} })), docs.year, function (v) { docs.year = v }) } }
        FilterButton { objectName: "filterIssuer"; label: qsTr("发布机关"); valueText: docs.issuer || qsTr("全部"); active: docs.issuer !== ""
                       onClicked: picker.open3(qsTr("选择发布机关"), [{label: qsTr("全部发布机关"), value: ""}].concat(docs.issuers.map(function (i) { return {label: i, value: i} })), docs.issuer, function (v) { docs.issuer = v }) }
        FilterButton { objectName: "filterZone"; label: qsTr("区域"); valueText: zoneText(); active: docs.zone !== ""
                       function zoneText() { if (docs.zone === "") return qsTr("本地"); if (docs.zone === "*") return qsTr("全部");
                           for (let i = 0; i < docs.zones.length; i++) if (docs.zones[i].code === docs.zone) return docs.zones[i].name; return docs.zone }
                       onClicked: picker.open3(qsTr("选择区域"), [{label: qsTr("本地（全区及本镇街）"), value: ""}, {label: qsTr("全部区域"), value: "*"}].concat(docs.zones.map(function (z) { return {label: z.name, value: z.code} })), docs.zone, function (v) { docs.zone = v }) }
        FilterButton { objectName: "filterStatus"; label: qsTr("状态"); active: docs.status !== DocumentStatus.Status.Any
                       valueText: docs.status === DocumentStatus.Status.InForce ? qsTr("现行有效") : docs.status === DocumentStatus.Status.Amended ? qsTr("已修订")
                                  : docs.status === DocumentStatus.Status.Repealed ? qsTr("已废止") : qsTr("全部")
                       onClicked: picker.open3(qsTr("选择状态"), [{label: qsTr("全部"), value: DocumentStatus.Status.Any}, {label: qsTr("现行有效"), value: DocumentStatus.Status.InForce}, {label: qsTr("已修订"), value: DocumentStatus.Status.Amended}, {label: qsTr("已废止"), value: DocumentStatus.Status.Repealed}], docs.status, function (v) { docs.status = v }) }
        FilterButton { objectName: "sortButton"; label: qsTr("排序"); valueText: docs.newestFirst ? qsTr("最新在前") : qsTr("最早在前")
                       onClicked: docs.newestFirst = !docs.newestFirst }
    }

    ListView {
        id: list
        objectName: "documentList"
        anchors { left: parent.left; right: parent.right; top: filters.bottom; bottom: parent.bottom
                  leftMargin: Theme.margin; rightMargin: Theme.margin; topMargin: Theme.gap }
        clip: true
        spacing: 14
        model: docs
        cacheBuffer: 400
        boundsBehavior: Flickable.StopAtBounds
        flickDeceleration: 2500
        maximumFlickVelocity: 6000
        reuseItems: true
        ScrollBar.vertical: ScrollBar { width: 16; policy: ScrollBar.AlwaysOn }
        footer: Item { width: list.width; height: Theme.margin }
        // each role of DocumentListModel the row shows is a required property (reused rows get new values)
        delegate: DocumentRow {
            id: docRow
            required property int index
            required property string docId
            required property string title
            required docNumber
            required issuer
            required published
            required status
            objectName: "docRow-" + index
            width: ListView.view.width - 24
            docTitle: docRow.title
            onClicked: Nav.open("document", { docId: docRow.docId })
        }
        Text { textFormat: Text.PlainText;
            anchors.centerIn: parent
            visible: docs.total === 0
            text: qsTr("该分类下暂无符合条件的文件\n可以换一个年份、区域或状态试试")
            horizontalAlignment: Text.AlignHCenter
            font.pixelSize: Theme.fontLarge; color: Theme.textMuted
        }
    }

    ChoicePopup {
        id: picker
        objectName: "filterPopup"
        property var apply: null
        function open3(h, c, cur, fn) { heading = h; choices = c; current = cur; apply = fn; open() }
        onChosen: function (value) { if (apply) apply(value) }
    }
}
