# Keeps the kiosk running on a Windows terminal: starts it, and starts it again whenever it exits.
# Run at logon of the kiosk account by the scheduled task in kiosk-task.xml (see docs/deploy.md).
param(
    [string]$Program = "C:\zwgk-kiosk\kiosk.exe",
    [string]$Config = "C:\ProgramData\zwgk-kiosk\terminal.toml"
)
# The self-test's table goes to a file beside the logs; a failed check does not stop the kiosk.
$logDir = Join-Path $env:LOCALAPPDATA "zwgk-kiosk"
New-Item -ItemType Directory -Force -Path $logDir | Out-Null
& $Program --self-test --config $Config *> (Join-Path $logDir "self-test.txt")
while ($true) {
    $p = Start-Process -FilePath $Program -ArgumentList @("--config", $Config) -PassThru -Wait
    Add-Content -Path (Join-Path $logDir "restarts.txt") -Value "$(Get-Date -Format o) exit $($p.ExitCode)"
    Start-Sleep -Seconds 3
}
