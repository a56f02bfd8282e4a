import type { ComponentChildren } from "preact";
import { useEffect } from "preact/hooks";

import { useLive } from "./data";
import { AccountPage } from "./pages/account";
import { BridgePage } from "./pages/bridge";
import { GovernancePage, ProposalPage } from "./pages/governance";
import { JobPage } from "./pages/job";
import { JobsPage } from "./pages/jobs";
import { MarketPage } from "./pages/market";
import { OraclesPage } from "./pages/oracles";
import { ProviderPage, ProvidersPage } from "./pages/providers";
import { DisputesPage, ValidatorsPage } from "./pages/validators";
import { type Route, href, useRoute } from "./router";

const SECTIONS = [
  ["market", "Market"],
  ["jobs", "Jobs"],
  ["providers", "Providers"],
  ["validators", "Validators"],
  ["disputes", "Disputes"],
  ["oracles", "Oracles"],
  ["governance", "Governance"],
  ["bridge", "Bridge"],
  ["account", "Account"],
] as const;

function page(route: Route): ComponentChildren {
  const [section = "market", id] = route.segments;
  switch (section) {
    case "market":
      return <MarketPage query={route.query} />;
    case "jobs":
      return id === undefined ? <JobsPage query={route.query} /> : <JobPage id={id} />;
    case "providers":
      return id === undefined ? <ProvidersPage /> : <ProviderPage address={id} />;
    case "validators":
      return <ValidatorsPage />;
    case "disputes":
      return <DisputesPage />;
    case "oracles":
      return <OraclesPage />;
    case "governance":
      return id === undefined ? <GovernancePage /> : <ProposalPage id={id} />;
    case "bridge":
      return <BridgePage />;
    case "account":
      return <AccountPage {...(id === undefined ? {} : { address: id })} />;
    default:
      return (
        <>
          <h1>Not found</h1>
          <p role="alert" class="error">
            There is no page "{route.segments.join("/")}". <a href={href("market")}>Go to the market</a>.
          </p>
        </>
      );
  }
}

/** The indexer's progress, shown in the header: the block it has indexed, or that it cannot be reached. */
function LiveStatus() {
  const loaded = useLive(readIndexedBlock, "status");
  const status =
    loaded.error !== undefined
      ? "indexer unreachable"
      : loaded.data === undefined
        ? "connecting to the indexer…"
        : loaded.data === null
          ? "indexer starting"
          : `live · block ${loaded.data}`;
  return (
    <p class="live" role="status" aria-live="off" data-testid="live-status">
      {status}
    </p>
  );
}

/** The block the indexer has processed up to (its `/status`), or null before its first checkpoint. */
async function readIndexedBlock(): Promise<number | null> {
  const response = await fetch(`${location.origin}/status`);
  if (!response.ok) throw new Error(`status ${response.status}`);
  const body = (await response.json()) as Record<string, { block?: { number: number } }>;
  return Object.values(body)[0]?.block?.number ?? null;
}

/** The explorer: a header with the sections, the current page in `main`, every page readable without a wallet. */
export function App() {
  const route = useRoute();
  const section = route.segments[0] ?? "market";
  useEffect(() => {
    const title = SECTIONS.find(([key]) => key === section)?.[1] ?? "Not found";
    document.title = `${title} · StarMiner explorer`;
  }, [section]);
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(event) => (event.preventDefault(), document.getElementById("main")?.focus())}
      >
        Skip to content
      </a>
      <header>
        <a class="brand" href={href("market")}>
          StarMiner
        </a>
        <nav aria-label="Sections">
          <ul>
            {SECTIONS.map(([key, label]) => (
              <li key={key}>
                <a href={href(key)} aria-current={key === section ? "page" : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <LiveStatus />
      </header>
      <main id="main" tabIndex={-1}>
        {page(route)}
      </main>
      <footer>
        <p>Read from the StarMiner indexer. Amounts in AGPU (18 decimals); times in UTC.</p>
      </footer>
    </>
  );
}
