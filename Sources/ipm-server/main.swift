import IPMApp

await ServerEntry.main()
