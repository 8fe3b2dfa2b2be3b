import UPSSandbox

await SandboxEntry.main()
