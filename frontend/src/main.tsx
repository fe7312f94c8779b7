import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "react-router";
import { adminAuth, memberAuth } from "@/api/client";
import { ToastProvider } from "@/components/ui/toast";
import { createQueryClient } from "@/query-client";
import { createRouter } from "@/router";
import "./index.css";

const queryClient = createQueryClient();
const router = createRouter();

// The global 401 handler ends here when a refresh could not rescue a request:
// drop cached data and send the user to the matching login page.
adminAuth.onUnauthenticated = () => {
  queryClient.clear();
  const here = window.location.pathname + window.location.search;
  if (!here.startsWith("/login") && !here.startsWith("/setup")) void router.navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
};
memberAuth.onUnauthenticated = () => {
  if (!window.location.pathname.startsWith("/member/login")) void router.navigate("/member/login", { replace: true });
};

createRoot(document.getElementById("root")!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <RouterProvider router={router} />
      </ToastProvider>
    </QueryClientProvider>
  </StrictMode>,
);
