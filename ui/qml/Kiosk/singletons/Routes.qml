// Routes (singleton): route name -> the page (a type of this module, as a Component). The one agreement
// between the shell and the pages: add a route here, open it with Nav.open(name, props).
//
//   home        HomePage              zone home: tiles, 五公开, announcements
//   sectors     SectorsPage           the 26 grassroots sectors (基层政务公开标准目录)
//   category    CategoryPage          props: categoryCode, categoryName (required)
//   document    DocumentPage          props: docId (required), startReading
//   attachment  AttachmentPage        props: docId (required), attachmentIndex (default 0)
//   search      SearchPage            props: initialQuery (optional)
//   apply       DisclosureInfoPage    依申请公开 explainer, door into the wizard
//   rating      RatingPage            satisfaction rating
//   wizard      ApplyWizardPage       the 依申请公开 application wizard; props: proxy (staff)
//   status      StatusLookupPage      status of an earlier application
//   staff       StaffPage             staff mode behind the PIN
//
// Every page is a KioskPage (its `ready`, `settled` and `route` are what the shell reads). The pages are
// compiled with this file, so a page that does not compile stops the app at start-up (and fails every
// test) instead of hiding behind a placeholder; one that fails to be created is reported by Main.qml.
pragma Singleton
pragma ComponentBehavior: Bound
import QtQuick
import Kiosk

QtObject {
    readonly property Component home: Component { HomePage { } }
    readonly property Component sectors: Component { SectorsPage { } }
    readonly property Component category: Component { CategoryPage { } }
    readonly property Component document: Component { DocumentPage { } }
    readonly property Component attachment: Component { AttachmentPage { } }
    readonly property Component search: Component { SearchPage { } }
    readonly property Component apply: Component { DisclosureInfoPage { } }
    readonly property Component rating: Component { RatingPage { } }
    readonly property Component wizard: Component { ApplyWizardPage { } }
    readonly property Component status: Component { StatusLookupPage { } }
    readonly property Component staff: Component { StaffPage { } }

    // the page of a route, or null for a name that is not a route
    function page(route: string): Component {
        switch (route) {
        case "home": return home
        case "sectors": return sectors
        case "category": return category
        case "document": return document
        case "attachment": return attachment
        case "search": return search
        case "apply": return apply
        case "rating": return rating
        case "wizard": return wizard
        case "status": return status
        case "staff": return staff
        }
        return null
    }
}
