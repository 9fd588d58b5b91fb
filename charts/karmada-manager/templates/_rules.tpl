{{/*
The alerting and recording rules: the one source of both the PrometheusRule
(templates/prometheusrule.yaml) and the plain rules file rules/karmada-manager.rules.yaml, which
`cargo xtask crds` renders from this template with the default values.

Prometheus's own templates ({{ $labels.cluster }}, {{ $value }}) are written [[ $labels.cluster ]]
here and turned into {{ }} after Helm has rendered, so that the two template languages never need
escaping. Every series is aggregated by `job` and its own labels: each replica serves the same
state gauges (standbys keep warm caches), and an alert must fire once per object, not per pod.
*/}}
{{- define "karmada-manager.rules" -}}
{{- include "karmada-manager.rulesBody" . | replace "[[" "{{" | replace "]]" "}}" }}
{{- end }}

{{/* severity and the chart-wide labels of an alert; takes (list $ alertValues). */}}
{{- define "karmada-manager.alertLabels" -}}
{{- $root := index . 0 }}
labels:
  severity: {{ (index . 1).severity }}
  {{- with $root.Values.prometheusRule.additionalAlertLabels }}
  {{- toYaml . | nindent 2 }}
  {{- end }}
{{- end }}

{{/* runbook_url: the alert's section of docs/troubleshooting.md; takes (list $ "AlertName"). */}}
{{- define "karmada-manager.runbook" -}}
{{- printf "%s#%s" (index . 0).Values.prometheusRule.runbookBaseURL (lower (index . 1)) }}
{{- end }}

{{- define "karmada-manager.rulesBody" -}}
{{- $alerts := .Values.prometheusRule.alerts }}
groups:
  - name: karmada-manager.rules
    rules:
      # A member's ClusterInsight says Ready=False: unreachable after --unreachable-grace, or
      # Stalled (settings that cannot work). The other member alerts stay quiet for these.
      - record: job_cluster_reason:karmada_manager_cluster_unavailable:max
        expr: max by (job, cluster, reason) (karmada_manager_cluster_condition{condition="Ready", status="False"})
      - record: job_cluster_resource:karmada_manager_cluster_allocated_percent:max
        expr: max by (job, cluster, resource) (karmada_manager_cluster_allocated_percent)
      - record: job_cluster:karmada_manager_cluster_fit_min_replicas:min
        expr: min by (job, cluster) (karmada_manager_cluster_fit_min_replicas)
      - record: job_cluster:karmada_manager_cluster_placements_without_headroom:max
        expr: max by (job, cluster) (karmada_manager_cluster_placements_without_headroom)
      - record: job_cluster:karmada_manager_cluster_unschedulable_replicas:max
        expr: max by (job, cluster) (karmada_manager_cluster_unschedulable_replicas)
      - record: job_kind_placement_reason:karmada_manager_placement_not_ready_seconds:max
        expr: max by (job, kind, placement, reason) (karmada_manager_placement_not_ready_seconds)
      - record: job_kind_placement_cluster:karmada_manager_placement_unschedulable_replicas:max
        expr: max by (job, kind, placement, cluster) (karmada_manager_placement_unschedulable_replicas)
      - record: job_kind:karmada_manager_status_writes_failed:rate5m
        expr: sum by (job, kind) (rate(karmada_manager_status_writes_total{outcome="failed"}[5m]))
      # Replicas writing: the leader with --leader-elect, every replica holding its own Lease
      # with --sharding, the only one without either.
      - record: job:karmada_manager_leader:sum
        expr: sum by (job) (karmada_manager_leader)
      - record: job:karmada_manager_leader_lease_transitions:max
        expr: max by (job) (karmada_manager_leader_lease_transitions)
      # Down on any replica: a standby with a dead watch would take over with stale figures.
      - record: job_cluster:karmada_manager_member_watch_up:min
        expr: min by (job, cluster) (karmada_manager_member_watch_up)
      # The writing replica's figures are the ones on the hub: the leader's, or with --sharding
      # the member's owner's (karmada_manager_leader is 1 on every replica that writes). The
      # rule keeps its name from before sharding so that existing dashboards go on working.
      - record: job_cluster:karmada_manager_member_data_age_seconds:leader
        expr: max by (job, cluster) (karmada_manager_member_data_age_seconds and on (job, instance) (karmada_manager_leader == 1))
      # The alerts, in the same group: a group evaluates its rules in order, so each alert
      # reads the series recorded above in the same evaluation. In a group of their own they
      # could run first and see them one interval late.
{{- with $alerts.memberUnavailable }}{{ if .enabled }}
      - alert: KarmadaManagerMemberUnavailable
        expr: job_cluster_reason:karmada_manager_cluster_unavailable:max == 1
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "Member [[ $labels.cluster ]] is unavailable ([[ $labels.reason ]])"
          description: >-
            ClusterInsight [[ $labels.cluster ]] has been Ready=False with reason
            [[ $labels.reason ]] for more than {{ .for }}: karmada-manager cannot watch the member
            (unreachable past the grace period) or its connection settings cannot work (Stalled).
            Its figures are the last ones seen and placements on it are Degraded; `kubectl describe
            clusterinsight [[ $labels.cluster ]]` says why.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerMemberUnavailable") }}
{{- end }}{{ end }}
{{- with $alerts.memberAllocationHigh }}{{ if .enabled }}
      - alert: KarmadaManagerMemberAllocationHigh
        expr: job_cluster_resource:karmada_manager_cluster_allocated_percent:max > {{ .percent }}
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "Member [[ $labels.cluster ]] has [[ $value ]]% of its [[ $labels.resource ]] allocated"
          description: >-
            Pods on member [[ $labels.cluster ]] request [[ $value ]]% of its allocatable
            [[ $labels.resource ]] (threshold {{ .percent }}%) for more than {{ .for }}: replicas
            Karmada places there next may not schedule. See `status.resources` of ClusterInsight
            [[ $labels.cluster ]].
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerMemberAllocationHigh") }}
{{- end }}{{ end }}
{{- with $alerts.memberNoHeadroom }}{{ if .enabled }}
      - alert: KarmadaManagerMemberNoHeadroom
        expr: job_cluster:karmada_manager_cluster_placements_without_headroom:max > 0
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "Member [[ $labels.cluster ]] has no room for another replica of [[ $value ]] of its workloads"
          description: >-
            For more than {{ .for }}, [[ $value ]] workload(s) placed on member
            [[ $labels.cluster ]] fit not one more replica there (`fitReplicas` 0): its largest
            workloads can neither scale up nor replace a lost pod on it. The placements'
            `status.clusters[].fitReplicas` name them.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerMemberNoHeadroom") }}
{{- end }}{{ end }}
{{- with $alerts.placementNotReady }}{{ if .enabled }}
{{- $byReason := .minutesByReason | default dict }}
      # Judged from the Ready condition's lastTransitionTime, not with `for`: exact across
      # operator restarts and takeovers, and one rule whatever the per-reason bounds.
      - alert: KarmadaManagerPlacementNotReady
        expr: >-
          job_kind_placement_reason:karmada_manager_placement_not_ready_seconds:max{{ if $byReason }}{reason!~"{{ keys $byReason | sortAlpha | join "|" }}"}{{ end }} > {{ mul .minutes 60 }}
          {{- range $reason, $minutes := $byReason }}
          or job_kind_placement_reason:karmada_manager_placement_not_ready_seconds:max{reason="{{ $reason }}"} > {{ mul $minutes 60 }}
          {{- end }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "[[ $labels.kind ]] [[ $labels.placement ]] is not Ready ([[ $labels.reason ]])"
          description: >-
            [[ $labels.kind ]] [[ $labels.placement ]] has not been Ready for
            [[ $value | humanizeDuration ]] (reason [[ $labels.reason ]]). `kubectl describe` of
            it says what is missing: its Ready condition's message names the clusters, and
            `status.clusters[]` shows each copy.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerPlacementNotReady") }}
{{- end }}{{ end }}
{{- with $alerts.replicasUnschedulable }}{{ if .enabled }}
      - alert: KarmadaManagerReplicasUnschedulable
        expr: job_kind_placement_cluster:karmada_manager_placement_unschedulable_replicas:max > 0
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "[[ $value ]] replicas of [[ $labels.kind ]] [[ $labels.placement ]] cannot be scheduled on [[ $labels.cluster ]]"
          description: >-
            For more than {{ .for }}, [[ $value ]] replica(s) of [[ $labels.kind ]]
            [[ $labels.placement ]] that Karmada assigned to member [[ $labels.cluster ]] have not
            been scheduled by the member's scheduler (PodScheduled=False). Its
            `status.clusters[].pods.pendingReason` quotes the scheduler.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerReplicasUnschedulable") }}
{{- end }}{{ end }}
{{- with $alerts.statusWritesFailing }}{{ if .enabled }}
      - alert: KarmadaManagerStatusWritesFailing
        expr: job_kind:karmada_manager_status_writes_failed:rate5m > 0
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "karmada-manager cannot write [[ $labels.kind ]] statuses"
          description: >-
            Status writes of [[ $labels.kind ]] by [[ $labels.job ]] have been failing for more
            than {{ .for }} ([[ printf "%.2g" $value ]] per second): what the hub shows is going
            stale. The operator's logs name the object and the error.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerStatusWritesFailing") }}
{{- end }}{{ end }}
{{- with $alerts.noLeader }}{{ if .enabled }}
      - alert: KarmadaManagerNoLeader
        expr: job:karmada_manager_leader:sum < 1 or absent(karmada_manager_leader)
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "No karmada-manager replica is writing"
          description: >-
            For more than {{ .for }}, no replica of karmada-manager has been writing (or none is
            scraped at all): with leader election none has held the leader Lease, with sharding
            none has held its own Lease in the shard group. No ClusterInsight, placement or
            FleetInsight is being written, so what the hub shows is frozen.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerNoLeader") }}
{{- end }}{{ end }}
{{- with $alerts.leadershipFlapping }}{{ if .enabled }}
      - alert: KarmadaManagerLeadershipFlapping
        expr: max_over_time(job:karmada_manager_leader_lease_transitions:max[{{ .window }}]) - min_over_time(job:karmada_manager_leader_lease_transitions:max[{{ .window }}]) >= {{ .transitions }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "karmada-manager's leadership changed [[ $value ]] times in {{ .window }}"
          description: >-
            The leader Lease of karmada-manager [[ $labels.job ]] changed hands [[ $value ]]
            times within {{ .window }} (threshold {{ .transitions }}): leaders lose the Lease
            before they renew it, and every takeover starts with a full reconcile.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerLeadershipFlapping") }}
{{- end }}{{ end }}
{{- with $alerts.shardGroupChurning }}{{ if .enabled }}
      # With sharding there is no leader Lease to flap: each replica counts the changes of the
      # live set it sees instead, and the one that saw the most speaks for the group. Held for
      # `for` (as long as the window by default), so that a burst that ends, such as a rolling
      # update, does not fire however many changes it made.
      - alert: KarmadaManagerShardGroupChurning
        expr: max by (job) (increase(karmada_manager_shard_rebalances_total[{{ .window }}])) > {{ .rebalances }}
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "karmada-manager's shard group changed [[ printf \"%.0f\" $value ]] times in {{ .window }}"
          description: >-
            For more than {{ .for }}, a replica of karmada-manager [[ $labels.job ]] has seen
            the live replicas of its shard group change more than {{ .rebalances }} times within
            {{ .window }} ([[ printf "%.0f" $value ]]): replicas keep leaving and joining, or are
            counted out and back in because their renews come late. Every change moves members
            to new owners, which list them again, and reconciles everything.
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerShardGroupChurning") }}
{{- end }}{{ end }}
{{- with $alerts.memberWatchDown }}{{ if .enabled }}
      - alert: KarmadaManagerMemberWatchDown
        expr: (job_cluster:karmada_manager_member_watch_up:min == 0) unless on (job, cluster) job_cluster_reason:karmada_manager_cluster_unavailable:max
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "karmada-manager's watches of member [[ $labels.cluster ]] are down"
          description: >-
            For more than {{ .for }}, a replica of karmada-manager [[ $labels.job ]] has not held
            live node and pod watches of member [[ $labels.cluster ]], while its ClusterInsight
            does not say the member is unavailable (a standby's watch, or a list that never
            completes).
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerMemberWatchDown") }}
{{- end }}{{ end }}
{{- with $alerts.memberDataStale }}{{ if .enabled }}
      - alert: KarmadaManagerMemberDataStale
        expr: (job_cluster:karmada_manager_member_data_age_seconds:leader > {{ .maxAgeSeconds }}) unless on (job, cluster) job_cluster_reason:karmada_manager_cluster_unavailable:max
        for: {{ .for }}
        {{- include "karmada-manager.alertLabels" (list $ .) | nindent 8 }}
        annotations:
          summary: "karmada-manager's figures for member [[ $labels.cluster ]] are [[ $value | humanizeDuration ]] old"
          description: >-
            The karmada-manager replica of [[ $labels.job ]] that writes member
            [[ $labels.cluster ]] (the leader, or with sharding the member's owner) has had no
            live watch of it for [[ $value | humanizeDuration ]], beyond the freshness bound
            of {{ .maxAgeSeconds }}s, yet ClusterInsight [[ $labels.cluster ]] does not say so
            (its own write may be failing, or the grace period is longer than the bound).
          runbook_url: {{ include "karmada-manager.runbook" (list $ "KarmadaManagerMemberDataStale") }}
{{- end }}{{ end }}
{{- end }}
