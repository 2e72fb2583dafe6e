# llmenv bootstrap for Windows: from a machine with no Python to a verified environment.
#
#   powershell -ExecutionPolicy Bypass -File bootstrap.ps1 [--mirror NAME|auto] [PROFILE] [llmenv setup options...]
#
# UNTESTED: no PowerShell runs on llmenv's build machine. It mirrors scripts/bootstrap.sh step for step (which is
# tested): fetch the uv wheel from the PyPI mirror (sha256-checked), take uv.exe out of it, install a managed
# CPython with uv into llmenv's data folder (--no-bin --no-registry: PATH and the registry are left alone),
# install llmenv into a private venv there, and run `llmenv setup` with the arguments given.
#
# Settings (environment): LLMENV_PYPI_MIRROR, LLMENV_PYTHON_MIRROR, LLMENV_PYTHON_VERSION (3.12),
# LLMENV_UV_VERSION (0.13.9), LLMENV_SPEC (llmenv), LLMENV_DATA_DIR (%LOCALAPPDATA%\llmenv).
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

$UvVersion = if ($env:LLMENV_UV_VERSION) { $env:LLMENV_UV_VERSION } else { '0.13.9' }
$PyVersion = if ($env:LLMENV_PYTHON_VERSION) { $env:LLMENV_PYTHON_VERSION } else { '3.12' }
$Spec = if ($env:LLMENV_SPEC) { $env:LLMENV_SPEC } else { 'llmenv' }
$Data = if ($env:LLMENV_DATA_DIR) { $env:LLMENV_DATA_DIR } else { Join-Path $env:LOCALAPPDATA 'llmenv' }
$Upstream = 'https://pypi.org/simple'

# The same URLs as src/llmenv/mirrors/sets.py (sources in docs/mirrors.md).
$PypiSets = @{
  'china' = 'https://pypi.tuna.tsinghua.edu.cn/simple'; 'tuna' = 'https://pypi.tuna.tsinghua.edu.cn/simple'
  'ustc' = 'https://mirrors.ustc.edu.cn/pypi/simple'; 'aliyun' = 'https://mirrors.aliyun.com/pypi/simple/'
  'tencent' = 'https://mirrors.cloud.tencent.com/pypi/simple'
  'huawei' = 'https://mirrors.huaweicloud.com/repository/pypi/simple'
  'cernet' = 'https://mirrors.cernet.edu.cn/pypi/web/simple'; 'sjtu' = 'https://mirror.sjtu.edu.cn/pypi/web/simple'
}
$UstcPython = 'https://mirrors.ustc.edu.cn/github-release/astral-sh/python-build-standalone'
$PythonSets = @{ 'china' = $UstcPython; 'ustc' = $UstcPython }

function Say([string]$Text) { [Console]::Error.WriteLine("bootstrap: $Text") }
function Die([string]$Text, [string]$Fix, [int]$Code = 4) {
  [Console]::Error.WriteLine("bootstrap: error: $Text")
  if ($Fix) { [Console]::Error.WriteLine("Fix: $Fix") }
  exit $Code
}
function Fetch([string]$Url, [string]$Out) {
  Invoke-WebRequest -Uri $Url -OutFile $Out -UseBasicParsing -TimeoutSec 30
}

$Mirror = $env:LLMENV_MIRROR
for ($i = 0; $i -lt $args.Count; $i++) {
  if ($args[$i] -like '--mirror=*') { $Mirror = $args[$i].Substring(9) }
  elseif ($args[$i] -eq '--mirror' -and $i + 1 -lt $args.Count) { $Mirror = $args[$i + 1] }
}

$Work = Join-Path ([IO.Path]::GetTempPath()) ("llmenv-bootstrap-" + [guid]::NewGuid())
New-Item -ItemType Directory -Path $Work | Out-Null
try {
  $Pypi = $env:LLMENV_PYPI_MIRROR
  $PythonMirror = $env:LLMENV_PYTHON_MIRROR
  if (-not $Pypi -and $Mirror -eq 'auto') {
    foreach ($url in @($Upstream) + @($PypiSets['tuna'], $PypiSets['ustc'], $PypiSets['aliyun'], $PypiSets['tencent'],
        $PypiSets['huawei'], $PypiSets['cernet'], $PypiSets['sjtu'])) {
      try { Fetch ($url.TrimEnd('/') + '/uv/') (Join-Path $Work 'probe'); $Pypi = $url; break } catch { }
    }
    if (-not $PythonMirror) { $PythonMirror = $UstcPython }
  } elseif ($Mirror) {
    if (-not $Pypi -and $PypiSets.ContainsKey($Mirror)) { $Pypi = $PypiSets[$Mirror] }
    if (-not $PythonMirror -and $PythonSets.ContainsKey($Mirror)) { $PythonMirror = $PythonSets[$Mirror] }
  }
  if (-not $Pypi) { $Pypi = $Upstream }
  Say "PyPI index: $Pypi"

  # 1. uv, from its wheel on the PyPI mirror, checked against the index's sha256.
  $Arch = if ($env:PROCESSOR_ARCHITECTURE -eq 'ARM64') { 'win_arm64' } else { 'win_amd64' }
  $Page = $Pypi.TrimEnd('/') + '/uv/'
  $Html = Join-Path $Work 'uv.html'
  try { Fetch $Page $Html } catch { Die "cannot read $Page ($_)" 'try another mirror (--mirror china, tuna, aliyun ...) or set LLMENV_PYPI_MIRROR' }
  $Pattern = "href=[""']([^""']*uv-$([regex]::Escape($UvVersion))-py3-none-$Arch\.whl(#sha256=[0-9a-f]+)?)[""']"
  $Match = [regex]::Match((Get-Content -Raw $Html), $Pattern)
  if (-not $Match.Success) { Die "$Page lists no uv $UvVersion wheel for $Arch" 'set LLMENV_UV_VERSION or use another mirror' 3 }
  $Url = ([Uri]::new([Uri]$Page, $Match.Groups[1].Value)).AbsoluteUri
  $Want = if ($Url -match '#sha256=([0-9a-f]+)') { $Matches[1] } else { '' }
  $Url = $Url.Split('#')[0]
  $Wheel = Join-Path $Work 'uv.zip'
  Say "fetching $([IO.Path]::GetFileName($Url))"
  Fetch $Url $Wheel
  if ($Want -and ((Get-FileHash -Algorithm SHA256 $Wheel).Hash.ToLower() -ne $Want)) {
    Die "the uv wheel from $Url does not match its sha256 $Want" 'the mirror serves a corrupt file: use another one'
  }
  $Bin = Join-Path $Data 'bin'
  New-Item -ItemType Directory -Force -Path $Bin | Out-Null
  Add-Type -AssemblyName System.IO.Compression.FileSystem
  $Zip = [IO.Compression.ZipFile]::OpenRead($Wheel)
  try {
    $Entry = $Zip.GetEntry("uv-$UvVersion.data/scripts/uv.exe")
    if (-not $Entry) { Die "the uv wheel holds no uv.exe" 'use another mirror' }
    $Uv = Join-Path $Bin 'uv.exe'
    [IO.Compression.ZipFileExtensions]::ExtractToFile($Entry, $Uv, $true)
  } finally { $Zip.Dispose() }

  # 2. A managed CPython in llmenv's data folder; nothing on PATH, nothing in the registry.
  $env:UV_PYTHON_INSTALL_DIR = Join-Path $Data 'python'
  if ($PythonMirror) { $env:UV_PYTHON_INSTALL_MIRROR = $PythonMirror }
  Say "installing managed CPython $PyVersion"
  & $Uv python install $PyVersion --no-bin --no-registry
  if ($LASTEXITCODE -ne 0) { Die "uv could not install CPython $PyVersion" 'set LLMENV_PYTHON_MIRROR (or --mirror china)' }
  $Python = (& $Uv python find --managed-python --no-python-downloads $PyVersion).Trim()

  # 3. llmenv in a private venv, from the same index.
  $Venv = Join-Path $Data 'venv'
  & $Uv venv --quiet --allow-existing --python $Python $Venv
  Say "installing $Spec"
  & $Uv pip install --quiet --compile-bytecode --python (Join-Path $Venv 'Scripts\python.exe') --index-url $Pypi $Spec
  if ($LASTEXITCODE -ne 0) { Die "installing $Spec from $Pypi failed" 'try another mirror (--mirror ...)' }
} finally {
  Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

# 4. The environment itself.
Say "running: llmenv setup $args"
& (Join-Path $Venv 'Scripts\llmenv.exe') setup @args
exit $LASTEXITCODE
