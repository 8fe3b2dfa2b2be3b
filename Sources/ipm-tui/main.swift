import IPMApp

await TUIEntry.main()
