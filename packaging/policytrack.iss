; Inno Setup 6 script: wraps the onedir bundle dist\policytrack\ (from build_installer.spec) in one setup.exe.
;
;   pyinstaller --noconfirm build_installer.spec      (on Windows, in the repository root)
;   iscc packaging\policytrack.iss                     -> dist\PolicyTrack-<version>-setup.exe
;
; The version comes from the bundle's policytrack.exe, whose version resource the spec writes from
; desktop.__version__, so setup and program can never disagree.
;
; Data: the program keeps each user's database in %LOCALAPPDATA%\PolicyTrack\ (desktop/paths.py). This script
; installs and removes only the program folder, shortcuts and the uninstall entry; it never names the data folder,
; so upgrading or uninstalling leaves every user's database (and its backups) where it is. A newer version opens
; an older database by backing it up first and then migrating it (db/connection.py).

#define BundleDir AddBackslash(SourcePath) + "..\dist\policytrack"
#define BundleExe BundleDir + "\policytrack.exe"
#if !FileExists(BundleExe)
  #error Build the bundle first: pyinstaller --noconfirm build_installer.spec
#endif
#define AppVersion GetStringFileInfo(BundleExe, "ProductVersion")
#define AppNameCn "政策跟踪"

[Setup]
; AppId never changes: it is how a newer setup finds and replaces the installed version.
AppId={{5E0B7A3C-2F4D-4C8B-9A61-7D2E8F13B4A9}
AppName={#AppNameCn} PolicyTrack
AppVersion={#AppVersion}
AppVerName={#AppNameCn} PolicyTrack {#AppVersion}
AppPublisher=PolicyTrack
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppNameCn} PolicyTrack
; Office PCs often withhold administrator rights: install for the current user by default (under
; %LOCALAPPDATA%\Programs), and let an administrator choose "all users" in the first dialog.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
DefaultDirName={autopf}\PolicyTrack
DefaultGroupName={#AppNameCn}
DisableProgramGroupPage=yes
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir=..\dist
OutputBaseFilename=PolicyTrack-{#AppVersion}-setup
SetupIconFile=..\resources\icons\policytrack.ico
UninstallDisplayIcon={app}\policytrack.exe
UninstallDisplayName={#AppNameCn} PolicyTrack
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
; A running copy is closed (Restart Manager) before its files are replaced.
CloseApplications=yes

[Languages]
; Needs Inno Setup 6.3+ (x64compatible). Releases without ChineseSimplified.isl in their Languages folder need it
; copied there (the translation is listed at https://jrsoftware.org/files/istrans/).
#if FileExists(AddBackslash(CompilerPath) + "Languages\ChineseSimplified.isl")
Name: "chinesesimplified"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"
#else
  #error ChineseSimplified.isl is missing from Inno Setup's Languages folder (see the comment above)
#endif
Name: "english"; MessagesFile: "compiler:Default.isl"

[CustomMessages]
chinesesimplified.ShortcutComment=按月跟踪重点项目、产业集群和政策指标的目标完成情况
english.ShortcutComment=Track key projects, clusters and policy indicators against their targets

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"

[InstallDelete]
; An upgrade replaces the whole bundle: no library of the previous version may linger beside the new ones.
Type: filesandordirs; Name: "{app}\_internal"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppNameCn}"; Filename: "{app}\policytrack.exe"; WorkingDir: "{app}"; Comment: "{cm:ShortcutComment}"
Name: "{autodesktop}\{#AppNameCn}"; Filename: "{app}\policytrack.exe"; WorkingDir: "{app}"; Comment: "{cm:ShortcutComment}"; Tasks: desktopicon

[Run]
Filename: "{app}\policytrack.exe"; Description: "{cm:LaunchProgram,{#AppNameCn}}"; Flags: nowait postinstall skipifsilent
