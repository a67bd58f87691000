# JupyterLab/Jupyter Server settings for SpiceSim, loaded by scripts/start.sh (--config=...).
# The notebook directory, port, host and token come from start.sh's command line (PORT, HOST, JUPYTER_TOKEN).
c = get_config()  # noqa: F821  (provided by traitlets when the file is loaded)

c.ServerApp.open_browser = False
# No calls to the internet from a closed network: no update checks, no news feed.
c.LabApp.check_for_updates_class = "jupyterlab.NeverCheckForUpdate"
c.LabApp.news_url = None
# Kernels that compile TypeScript (tslab) take a few seconds to start on a busy machine.
c.MappingKernelManager.kernel_info_timeout = 120
