{{/* Chart name, overridable. */}}
{{- define "karmada-manager.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Full name of the objects: the release name, plus the chart name unless it already says it. */}}
{{- define "karmada-manager.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "karmada-manager.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of every object. */}}
{{- define "karmada-manager.labels" -}}
helm.sh/chart: {{ include "karmada-manager.chart" . }}
{{ include "karmada-manager.selectorLabels" . }}
app.kubernetes.io/version: {{ .Values.image.tag | default .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: karmada-manager
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select the operator's pods. */}}
{{- define "karmada-manager.selectorLabels" -}}
app.kubernetes.io/name: {{ include "karmada-manager.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "karmada-manager.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "karmada-manager.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "karmada-manager.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* "true" when the Deployment runs with --sharding: whatever the replica count, so that it scales. */}}
{{- define "karmada-manager.sharding" -}}
{{- if .Values.sharding.enabled }}true{{ end }}
{{- end }}

{{/*
"true" when the Deployment runs with --leader-elect: election on and more than one replica, and
no sharding (the two flags conflict).
*/}}
{{- define "karmada-manager.leaderElect" -}}
{{- if and .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) (not (include "karmada-manager.sharding" .)) }}true{{ end }}
{{- end }}

{{/* Namespace of the Lease on the hub (of the shard Leases with sharding). */}}
{{- define "karmada-manager.leaseNamespace" -}}
{{- .Values.leaderElection.namespace | default .Release.Namespace }}
{{- end }}

{{/* "true" when members may be reached through the hub's cluster proxy. */}}
{{- define "karmada-manager.usesClusterProxy" -}}
{{- if has .Values.connectionMode (list "proxy" "direct-then-proxy") }}true{{ end }}
{{- end }}

{{/* --admin-address: host:port, with brackets for an IPv6 host. */}}
{{- define "karmada-manager.adminAddress" -}}
{{- $host := toString .Values.admin.bindAddress }}
{{- if contains ":" $host }}
{{- printf "[%s]:%d" $host (int .Values.admin.port) }}
{{- else }}
{{- printf "%s:%d" $host (int .Values.admin.port) }}
{{- end }}
{{- end }}

{{/* Where the hub kubeconfig is mounted. */}}
{{- define "karmada-manager.kubeconfigDir" -}}
/etc/karmada-manager/hub
{{- end }}

{{/* Subjects of the hub RBAC bindings: the configured ones, else the chart's ServiceAccount. */}}
{{- define "karmada-manager.hubSubjects" -}}
{{- if .Values.rbac.hub.subjects }}
{{- range .Values.rbac.hub.subjects }}
- kind: {{ .kind }}
  name: {{ .name | quote }}
  {{- if eq .kind "ServiceAccount" }}
  namespace: {{ .namespace | default $.Release.Namespace }}
  {{- else }}
  apiGroup: rbac.authorization.k8s.io
  {{- end }}
{{- end }}
{{- else }}
- kind: ServiceAccount
  name: {{ include "karmada-manager.serviceAccountName" . }}
  namespace: {{ .Release.Namespace }}
{{- end }}
{{- end }}
