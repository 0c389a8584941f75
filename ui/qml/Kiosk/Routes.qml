// Routes (singleton): route name -> QML page file in this folder. The one agreement between the shell
// and the pages of other engineers: add a route here, open it with Nav.open(name, props).
//
//   home        HomePage.qml              zone home: tiles, 五公开, announcements
//   sectors     SectorsPage.qml           the 26 grassroots sectors (基层政务公开标准目录)
//   category    CategoryPage.qml          props: categoryCode, categoryName
//   document    DocumentPage.qml          props: docId
//   attachment  AttachmentPage.qml        props: docId, attachmentIndex (default 0)
//   search      SearchPage.qml            props: initialQuery (optional)
//   apply       DisclosureInfoPage.qml    依申请公开 explainer, door into the wizard
//   rating      RatingPage.qml            satisfaction rating
//   wizard      ApplyWizardPage.qml       (wizard engineer) the 依申请公开 application wizard
//   status      StatusLookupPage.qml      (wizard engineer) status of an earlier application
//   staff       StaffPage.qml             (wizard engineer) staff mode behind the PIN
//
// Every page may declare `property bool ready` (true once its content is on screen; screenshots and
// tests wait for it) and `property bool settled` (true once slower extras such as counts arrived).
pragma Singleton
import QtQuick

QtObject {
    readonly property var pages: ({
        "home": "HomePage.qml",
        "sectors": "SectorsPage.qml",
        "category": "CategoryPage.qml",
        "document": "DocumentPage.qml",
        "attachment": "AttachmentPage.qml",
        "search": "SearchPage.qml",
        "apply": "DisclosureInfoPage.qml",
        "rating": "RatingPage.qml",
        "wizard": "ApplyWizardPage.qml",
        "status": "StatusLookupPage.qml",
        "staff": "StaffPage.qml"
    })
    function url(route) { return pages[route] ? Qt.resolvedUrl(pages[route]) : "" }
}
