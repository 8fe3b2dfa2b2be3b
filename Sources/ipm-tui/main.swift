import IPMApp

TUIEntry.main()
