"""Run the FanFicFare command line against a local archive (runs in the throwaway venv only).

FanFicFare binds each site to an adapter class and always builds https URLs on the site's
domain. This registers a subclass of its AO3 adapter for the local host:port and rewrites
https to http in the adapter's one request hook, so every request goes to the local archive
and none to the internet. Usage: AO3_LOCAL=127.0.0.1:PORT python run_fanficfare.py ARGS...
"""

import os
import sys

from fanficfare import adapters, cli
from fanficfare.adapters.adapter_archiveofourownorg import ArchiveOfOurOwnOrgAdapter

LOCAL = os.environ["AO3_LOCAL"]


class LocalArchiveAdapter(ArchiveOfOurOwnOrgAdapter):
    @staticmethod
    def getSiteDomain() -> str:
        return LOCAL

    @classmethod
    def getAcceptDomains(cls) -> list[str]:
        return [LOCAL]

    @classmethod
    def getConfigSections(cls) -> list[str]:
        # Keep the AO3 section so its extra metadata entries (fandoms, ships...) are read.
        return ["base_otw", "archiveofourown.org", LOCAL]

    def mod_url_request(self, url: str) -> str:
        if not url.startswith(("https://" + LOCAL, "http://" + LOCAL)):
            raise RuntimeError(f"client suite: refusing a request off the local archive: {url}")
        return url.replace("https://" + LOCAL, "http://" + LOCAL, 1)


vars(adapters)["__class_list"].append(LocalArchiveAdapter)
vars(adapters)["__domain_map"][LOCAL] = [LocalArchiveAdapter]
sys.exit(cli.main())
