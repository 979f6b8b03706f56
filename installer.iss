; Inno Setup 6 script: wraps the one-folder bundle dist\aomori-desktop\ into a Windows installer.
;
;   1. build the bundle on Windows:  pyinstaller build_installer.spec   (docs/installing.md)
;   2. "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" installer.iss
;      -> dist\installer\aomori-desktop-setup-<version>.exe
;
; Not built by CI: Inno Setup runs only on Windows (the Linux CI builds and tests the bundle).
; Needs Inno Setup 6.3 or later (x64compatible; UTF-8 script without a BOM).
;
; Per-user install without administrator rights (office PCs): %LOCALAPPDATA%\Programs\aomori-desktop.
; The version comes from the built executable (its version resource is made by
; build_installer.spec from aomori_desktop.__version__); override with ISCC /DAppVersion=x.y.z.
; Uninstalling removes the program folder only: the database, its backups and the log live in
; %LOCALAPPDATA%\aomori-desktop (created by the application, not by this installer), and the
; window settings in HKCU\Software\aomori-desktop; both stay.

#if Ver < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or later is required
#endif
; Pascal-style string literals: a backslash in "dist\aomori-desktop" is a path separator, not an escape.
#pragma parseroption -p+

#define AppName "青森市しごと創造戦略 KPI進捗管理"
#define AppPublisher "青森市"
#define AppExeName "aomori-desktop.exe"
#define BundleDir "dist\aomori-desktop"
#define AppExePath AddBackslash(AddBackslash(SourcePath) + BundleDir) + AppExeName

#if !FileExists(AppExePath)
  #error dist\aomori-desktop\aomori-desktop.exe not found: build the bundle first (pyinstaller build_installer.spec)
#endif
#ifndef AppVersion
  #define AppVersion GetStringFileInfo(AppExePath, "ProductVersion")
#endif
#if AppVersion == ""
  #error No version in aomori-desktop.exe: was it built with build_installer.spec?
#endif
#define AppVersionNumbers GetVersionNumbersString(AppExePath)

[Setup]
; AppId identifies the application for upgrades and uninstall: never change it.
AppId={{0B1FE0FF-DA72-42D6-A73D-7FF511E9FD94}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersionNumbers}
VersionInfoProductName={#AppName}
PrivilegesRequired=lowest
DefaultDirName={userpf}\aomori-desktop
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
; Qt 6 needs Windows 10 or later.
MinVersion=10.0
OutputDir=dist\installer
OutputBaseFilename=aomori-desktop-setup-{#AppVersion}
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
; Close a running aomori-desktop before replacing its files.
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "japanese"; MessagesFile: "compiler:Languages\Japanese.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[InstallDelete]
; An upgrade replaces the bundled libraries as a whole: files the new version no longer ships
; must not stay behind. Only the program folder; the user's data is elsewhere.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{group}\{#AppName}"; Filename: "{app}\{#AppExeName}"
Name: "{group}\{cm:UninstallProgram,{#AppName}}"; Filename: "{uninstallexe}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExeName}"; Description: "{cm:LaunchProgram,{#StringChange(AppName, '&', '&&')}}"; Flags: nowait postinstall skipifsilent
