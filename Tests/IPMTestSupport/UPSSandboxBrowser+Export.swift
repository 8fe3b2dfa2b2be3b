// The sign-in driver moved to its own target so the benchmarks can use it too; the test
// suites keep getting it (and HTMLPage) from IPMTestSupport.
@_exported public import UPSSandboxBrowser
