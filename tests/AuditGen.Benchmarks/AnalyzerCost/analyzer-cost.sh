#!/usr/bin/env bash
# Analyzer cost: `dotnet build` time of a generated project with N audited tool methods, AuditGen's analyzers on vs
# off. "Off" disables the seven AUDIT rules through a global analyzer config (Roslyn then does not run an analyzer
# whose every rule is off); the generator and the SDK's own analyzers run in both, so the difference is ours alone.
# (RunAnalyzers=false would also switch off the SDK's CA/IDE analyzers and measure them instead.)
#
#   tests/AuditGen.Benchmarks/AnalyzerCost/analyzer-cost.sh [methods=1000] [runs=5]
#
# Builds alternate on/off (so machine load drifts evenly over both), each a full recompile of the generated project
# (--no-incremental, referenced projects already built); the report is the median wall time of each and their ratio.
set -euo pipefail

methods="${1:-1000}"
runs="${2:-5}"
root="$(cd "$(dirname "$0")/../../.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1

per_class=20
classes=$(( (methods + per_class - 1) / per_class ))

cat > "$work/Directory.Build.props" <<'XML'
<Project />
XML
cat > "$work/Directory.Packages.props" <<'XML'
<Project><PropertyGroup><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>
XML
cat > "$work/ToolCorpus.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <TargetFramework>net10.0</TargetFramework>
    <Nullable>enable</Nullable>
    <ImplicitUsings>enable</ImplicitUsings>
  </PropertyGroup>
  <ItemGroup Condition="'\$(AuditGenAnalyzers)' == 'off'">
    <GlobalAnalyzerConfigFiles Include="auditgen-off.globalconfig" />
  </ItemGroup>
  <ItemGroup>
    <ProjectReference Include="$root/src/AuditGen/AuditGen.csproj" />
    <ProjectReference Include="$root/analyzers/AuditGen.Generators/AuditGen.Generators.csproj" OutputItemType="Analyzer" ReferenceOutputAssembly="false" />
  </ItemGroup>
</Project>
XML

{
  echo "is_global = true"
  for id in 1 2 3 4 5 6 7; do echo "dotnet_diagnostic.AUDIT00$id.severity = none"; done
} > "$work/auditgen-off.globalconfig"

# Realistic tools: classified parameters, a record argument with classified properties, a log call in each body.
for ((c = 0; c < classes; c++)); do
  {
    echo "using System.ComponentModel;"
    echo "using AuditGen;"
    echo "using Microsoft.Extensions.Logging;"
    echo "namespace Corpus;"
    echo "public sealed record Visit$c([property: DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac)] string Mrn, string Department, int Room);"
    echo "public partial class Tools$c(ILogger logger)"
    echo "{"
    for ((m = 0; m < per_class && c * per_class + m < methods; m++)); do
      echo "    [AuditedTool(\"tool_${c}_$m\", ResourceType = \"Patient\", Domains = ComplianceDomain.Hipaa)]"
      echo "    [Description(\"Tool $m of class $c.\")]"
      echo "    public Task<string> Tool${m}Async([DataClassification(DataClass.Restricted), Redact(RedactionStrategy.Hmac), SubjectId] string mrn, [DataClassification(DataClass.Internal)] string panel, Visit$c visit, int count = 1, CancellationToken cancellationToken = default)"
      echo "    {"
      echo "        logger.LogInformation(\"Tool $m on panel {Panel}, room {Room}, {Count} items\", panel, visit.Room, count);"
      echo "        return Task.FromResult(panel + visit.Department + mrn.Length);"
      echo "    }"
      echo
    done
    echo "}"
  } > "$work/Tools$c.cs"
done
# Compiles only if the generator ran.
echo 'public static class Uses { public static int Count => AuditGen.Generated.AuditedToolManifest.Tools.Count; }' > "$work/Uses.cs"

echo "generated $methods tool methods in $classes classes under $work"
dotnet build "$work/ToolCorpus.csproj" -c Release -v:q -nologo > "$work/warmup.log" || { cat "$work/warmup.log"; exit 1; }

build() { # $1 = on|off
  local start end
  start=$(date +%s.%N)
  dotnet build "$work/ToolCorpus.csproj" -c Release --no-restore --no-dependencies --no-incremental -v:q -nologo -p:AuditGenAnalyzers="$1" > "$work/build.log" \
    || { cat "$work/build.log"; exit 1; }
  end=$(date +%s.%N)
  echo "$end - $start" | bc
}

build off > /dev/null; build on > /dev/null   # warm the compiler server for both
on=(); off=()
for ((i = 0; i < runs; i++)); do
  off+=("$(build off)")
  on+=("$(build on)")
  echo "run $((i + 1)): off ${off[-1]} s, on ${on[-1]} s"
done

median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) print a[(NR + 1) / 2]; else print (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
m_off=$(median "${off[@]}")
m_on=$(median "${on[@]}")
echo "median: AuditGen analyzers off ${m_off} s, on ${m_on} s, ratio $(echo "scale=3; $m_on / $m_off" | bc) (added $(echo "scale=1; ($m_on - $m_off) * 100 / $m_off" | bc) %)"

# Where the time goes, by analyzer, as the compiler reports it.
dotnet build "$work/ToolCorpus.csproj" -c Release --no-restore --no-dependencies --no-incremental -nologo -v:d -p:ReportAnalyzer=true > "$work/report.log"
grep -E "Total analyzer execution time|Total generator execution time|AuditGen\.Generators\.(Analyzers\.|AuditedToolGenerator)" "$work/report.log" | sed -E 's/^\s+//' | sort -u || true
echo "AuditGen analyzers, total: $(grep -E 'AuditGen\.Generators\.Analyzers\.' "$work/report.log" | sed -E 's/^\s+//' | sort -u | awk '{ s += $1 } END { printf "%.3f", s }') s of analyzer time in one build"
