// The lazily loaded member area (see router.tsx).
export { MemberLayout } from "./member-layout";
export { MemberLibraryPage, VisitorLibraryPage } from "./library-page";
export { MemberProductPage } from "./product-page";
export { MemberProfilePage, MemberPurchasesPage, MemberSubscriptionsPage } from "./account-pages";
export { PublicSalesPage } from "./sales-page";
export { MemberTeamPage } from "./team-page";
