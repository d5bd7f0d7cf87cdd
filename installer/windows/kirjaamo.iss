; Kirjaamo – the Windows installer (Inno Setup 6.4 or newer; this file is UTF-8 with a BOM, as Inno reads it).
;
; Why Inno Setup and not NSIS:
;  - Per-machine installation is one directive (PrivilegesRequired=admin with {autopf}/{autoprograms}),
;    and the uninstaller, its Add/Remove Programs entry and upgrades in place (AppId) come with it.
;  - Finnish, Swedish and English wizard texts ship with the compiler (compiler:Languages\Finnish.isl,
;    Swedish.isl, Default.isl), maintained upstream; NSIS needs MUI language macros plus our own strings.
;  - IT's silent mode is built in and documented: /SILENT, /VERYSILENT, /SUPPRESSMSGBOXES, /NORESTART,
;    /LOG=, /LANG=, /DIR= — the same switches for the uninstaller (unins000.exe).
;  - Declarative [InstallDelete]/[UninstallDelete]: we state exactly what may be removed, so the users' data
;    (%LOCALAPPDATA%\Kirjaamo, per user, outside {app}) is never touched, by an upgrade or an uninstall.
;  - It is on the GitHub Windows runners and in Chocolatey (choco install innosetup) for CI.
;
; Build (.github/workflows/windows-installer.yml does exactly this):
;   python -m PyInstaller --noconfirm --clean --distpath dist installer\kirjaamo.spec   -> dist\kirjaamo\
;   write build\version.iss:  #define AppVersion "0.1.0"        (or give iscc /DAppVersion=0.1.0)
;   iscc installer\windows\kirjaamo.iss                     -> dist\kirjaamo-<version>-windows-x64-setup.exe
;
; Install for IT (no questions, no reboot, a log):
;   kirjaamo-<version>-windows-x64-setup.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /LOG="%TEMP%\kirjaamo-setup.log"
;   then check it:  "C:\Program Files\Kirjaamo\kirjaamo-cli.exe" --self-test      (exit status 0 = works)
; Uninstall silently:
;   "C:\Program Files\Kirjaamo\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART

#if VER < EncodeVer(6,4,0)
  #error Inno Setup 6.4 or newer is needed (x64compatible, and Languages\Swedish.isl as an official translation)
#endif

#ifndef AppVersion
  ; Written by the build (build\ is not in git): #define AppVersion "0.1.0"
  #include "..\..\build\version.iss"
#endif

#define AppName "Kirjaamo"
#define AppExe "kirjaamo.exe"

[Setup]
; The AppId ties upgrades and the uninstaller together: never change it.
AppId={{D88CEBDA-A964-4318-ADD6-BAB9746AAB81}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=Kirjaamo
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
; Per machine: Program Files, the common Start menu, an entry in Apps & features; needs administrator rights.
PrivilegesRequired=admin
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
; Relative to this file: the PyInstaller output is dist\kirjaamo, the installer goes to dist\ as well.
SourceDir=..\..
OutputDir=dist
OutputBaseFilename=kirjaamo-{#AppVersion}-windows-x64-setup
SetupIconFile=resources\icons\kirjaamo.ico
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
WizardStyle=modern
Compression=lzma2/max
SolidCompression=yes
; The installer speaks the Windows display language when it is one of ours, else asks.
ShowLanguageDialog=auto
LanguageDetectionMethod=uilanguage
; A running Kirjaamo is closed (Restart Manager) before its files are replaced, and not restarted.
CloseApplications=yes
RestartApplications=no
SetupLogging=yes

[Languages]
Name: "fi"; MessagesFile: "compiler:Languages\Finnish.isl"
Name: "sv"; MessagesFile: "compiler:Languages\Swedish.isl"
Name: "en"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
fi.AppComment=Rekisteröityjen tietosuojapyyntöjen kirjaaminen ja vastaukset
sv.AppComment=Registrera och besvara de registrerades begäranden enligt dataskyddsförordningen
en.AppComment=Register and answer GDPR data-subject requests
fi.DataKept=Kirjaamo on poistettu. Käyttäjien tiedot (kansio AppData\Local\Kirjaamo kunkin käyttäjän profiilissa) säilytettiin; poista ne erikseen vain, jos niitä ei enää tarvita ja arkistointiaika on päättynyt.
sv.DataKept=Kirjaamo har avinstallerats. Användarnas data (mappen AppData\Local\Kirjaamo i varje användares profil) har behållits; ta bort dem separat endast om de inte längre behövs och arkiveringstiden har gått ut.
en.DataKept=Kirjaamo has been removed. The users' data (the folder AppData\Local\Kirjaamo in each user's profile) was kept; delete it separately only when it is no longer needed and its retention period has ended.

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundled Python and Qt entirely: a DLL or Qt plugin of the old version left beside
; the new ones can break it. Only the program folder's own _internal is cleared, never anything else.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "dist\kirjaamo\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "{cm:AppComment}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "{cm:AppComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[UninstallDelete]
; The uninstaller removes every file it installed. Nothing else is listed here on purpose: the users' data
; lives in %LOCALAPPDATA%\Kirjaamo (per user, outside {app}) and is never removed by an uninstall — the
; registry office must keep it for its retention period. Only an emptied program folder goes.
Type: dirifempty; Name: "{app}"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  // Tell a person uninstalling by hand where the data stayed; IT's silent uninstall shows nothing.
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox(CustomMessage('DataKept'), mbInformation, MB_OK);
end;
