import IPMApp

await SandboxEntry.main()
