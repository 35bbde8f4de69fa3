package northflank

import (
	"strconv"
	"time"
)

// timeLayout is the API's timestamp: UTC with milliseconds,
// "2021-01-20T11:19:53.175Z".
const timeLayout = "2006-01-02T15:04:05.000Z07:00"

func stamp(t time.Time) string { return t.UTC().Format(timeLayout) }

// stampOpt leaves a zero time out.
func stampOpt(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return stamp(t)
}

type paginationJSON struct {
	HasNextPage bool   `json:"hasNextPage"`
	Cursor      string `json:"cursor,omitempty"`
	Count       int    `json:"count"`
}

type errorBody struct {
	Error errorJSON `json:"error"`
}

type errorJSON struct {
	Status  int                 `json:"status"`
	Message string              `json:"message"`
	ID      string              `json:"id"`
	Details map[string][]string `json:"details,omitempty"`
}

type projectItemJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

type destinationItemJSON struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type specTypeJSON struct {
	Type string `json:"type"`
}

type projectAddonJSON struct {
	ID          string       `json:"id"`
	AppID       string       `json:"appId"`
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Spec        specTypeJSON `json:"spec"`
}

type clusterJSON struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Namespace     string   `json:"namespace"`
	LoadBalancers []string `json:"loadBalancers"`
}

type projectJSON struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	Deployment  struct {
		Region string `json:"region"`
	} `json:"deployment"`
	CreatedAt      string             `json:"createdAt"`
	Services       []struct{}         `json:"services"`
	Jobs           []struct{}         `json:"jobs"`
	Addons         []projectAddonJSON `json:"addons"`
	CustomRegistry struct {
		Enabled bool `json:"enabled"`
	} `json:"customRegistry"`
	Cluster clusterJSON `json:"cluster"`
}

type addonItemJSON struct {
	ID          string       `json:"id"`
	Name        string       `json:"name"`
	AppID       string       `json:"appId"`
	Tags        []string     `json:"tags"`
	Description string       `json:"description,omitempty"`
	Spec        specTypeJSON `json:"spec"`
	Status      string       `json:"status"`
}

type addonJSON struct {
	ID          string        `json:"id"`
	Name        string        `json:"name"`
	AppID       string        `json:"appId"`
	Tags        []string      `json:"tags"`
	Description string        `json:"description,omitempty"`
	CreatedAt   string        `json:"createdAt"`
	Status      string        `json:"status"`
	Spec        addonSpecJSON `json:"spec"`
	Cluster     clusterJSON   `json:"cluster"`
}

type addonSpecJSON struct {
	Type   string `json:"type"`
	Config struct {
		VersionTag      string `json:"versionTag"`
		LifecycleStatus string `json:"lifecycleStatus"`
		Deployment      struct {
			Replicas     int    `json:"replicas"`
			StorageClass string `json:"storageClass"`
			StorageSize  int    `json:"storageSize"`
			PlanID       string `json:"planId"`
			Region       string `json:"region"`
		} `json:"deployment"`
		Networking struct {
			TLSEnabled            bool       `json:"tlsEnabled"`
			ExternalAccessEnabled bool       `json:"externalAccessEnabled"`
			IPPolicies            []struct{} `json:"ipPolicies"`
		} `json:"networking"`
	} `json:"config"`
	PendingActions []pendingJSON `json:"pendingActions"`
}

type pendingJSON struct {
	Type      string `json:"type"`
	CreatedAt string `json:"createdAt"`
}

// backupJSON is the union of what the list and get pages document for a
// backup: the list adds compressionType, additionalDestinations and
// customDestinationId, the get adds lastRestore.
type backupJSON struct {
	ID                  string           `json:"id"`
	Name                string           `json:"name"`
	UID                 string           `json:"uid"`
	Status              string           `json:"status"`
	CreatedAt           string           `json:"createdAt"`
	CompletedAt         string           `json:"completedAt,omitempty"`
	Config              backupConfigJSON `json:"config"`
	CustomDestinationID string           `json:"customDestinationId,omitempty"`
	LastRestore         *lastRestoreJSON `json:"lastRestore,omitempty"`
}

type backupConfigJSON struct {
	Source struct {
		Type string `json:"type"`
	} `json:"source"`
	Size                   string            `json:"size"`
	CompressionType        string            `json:"compressionType,omitempty"`
	AdditionalDestinations []destinationJSON `json:"additionalDestinations,omitempty"`
	AddonVersion           string            `json:"addonVersion,omitempty"`
}

type destinationJSON struct {
	DestinationID string `json:"destinationId"`
	RetentionTime int    `json:"retentionTime,omitempty"`
	Type          string `json:"type"`
}

type lastRestoreJSON struct {
	RestoreTimestamp string `json:"restoreTimestamp"`
	Status           string `json:"status"`
	CompletedAt      string `json:"completedAt,omitempty"`
}

type restoreJSON struct {
	ID               string `json:"id"`
	Status           string `json:"status"`
	RestoreTimestamp string `json:"restoreTimestamp"`
	CompletedAt      string `json:"completedAt,omitempty"`
	BackupID         string `json:"backupId,omitempty"`
}

func renderCluster(p *Project) clusterJSON {
	return clusterJSON{ID: "nf-" + p.Region, Name: "nf-" + p.Region, Namespace: "ns-" + p.ID,
		LoadBalancers: []string{"lb." + p.Region + ".northflank.com"}}
}

func renderProject(p *Project) projectJSON {
	v := projectJSON{ID: p.ID, Name: p.Name, Description: p.Description, CreatedAt: stamp(p.Created),
		Services: []struct{}{}, Jobs: []struct{}{}, Addons: make([]projectAddonJSON, 0, len(p.Addons)), Cluster: renderCluster(p)}
	v.Deployment.Region = p.Region
	for _, a := range p.Addons {
		v.Addons = append(v.Addons, projectAddonJSON{ID: a.ID, AppID: appID(p, a), Name: a.Name, Description: a.Description, Spec: specTypeJSON{a.Type}})
	}
	return v
}

func appID(p *Project, a *Addon) string { return "/snapdeck-demo/" + p.ID + "/" + a.ID }

func tags(a *Addon) []string {
	if a.Tags == nil {
		return []string{}
	}
	return a.Tags
}

func renderAddonItem(p *Project, a *Addon) addonItemJSON {
	return addonItemJSON{ID: a.ID, Name: a.Name, AppID: appID(p, a), Tags: tags(a), Description: a.Description,
		Spec: specTypeJSON{a.Type}, Status: a.Status}
}

func renderAddon(p *Project, a *Addon) addonJSON {
	v := addonJSON{ID: a.ID, Name: a.Name, AppID: appID(p, a), Tags: tags(a), Description: a.Description,
		CreatedAt: stamp(a.Created), Status: a.Status, Cluster: renderCluster(p)}
	v.Spec.Type = a.Type
	c := &v.Spec.Config
	c.VersionTag, c.LifecycleStatus = a.Version, "active"
	if a.Version < "6" && a.Type == "mysql" {
		c.LifecycleStatus = "deprecated"
	}
	c.Deployment.Replicas, c.Deployment.StorageClass, c.Deployment.StorageSize = a.Replicas, "ssd", a.StorageMB
	c.Deployment.PlanID, c.Deployment.Region = a.PlanID, p.Region
	c.Networking.TLSEnabled, c.Networking.IPPolicies = true, []struct{}{}
	v.Spec.PendingActions = []pendingJSON{}
	for _, b := range a.Backups {
		if b.running() {
			v.Spec.PendingActions = append(v.Spec.PendingActions, pendingJSON{Type: "backup", CreatedAt: stamp(b.Created)})
		}
	}
	for _, r := range a.Restores {
		if r.running() {
			v.Spec.PendingActions = append(v.Spec.PendingActions, pendingJSON{Type: "restore", CreatedAt: stamp(r.Started)})
		}
	}
	return v
}

func renderBackup(b *Backup) backupJSON {
	v := backupJSON{ID: b.ID, Name: b.Name, UID: b.UID, Status: b.Status, CreatedAt: stamp(b.Created),
		CompletedAt: stampOpt(b.Completed), CustomDestinationID: b.CustomDestinationID}
	v.Config.Source.Type = b.Source
	v.Config.Size = strconv.FormatInt(b.SizeBytes, 10)
	v.Config.CompressionType = b.Compression
	v.Config.AddonVersion = b.AddonVersion
	for _, d := range b.Destinations {
		v.Config.AdditionalDestinations = append(v.Config.AdditionalDestinations, destinationJSON{DestinationID: d.ID, RetentionTime: d.Retention, Type: "custom"})
	}
	if r := b.LastRestore; r != nil {
		v.LastRestore = &lastRestoreJSON{RestoreTimestamp: stamp(r.Started), Status: r.Status, CompletedAt: stampOpt(r.Completed)}
	}
	return v
}

func renderRestore(r *Restore, withBackup bool) restoreJSON {
	v := restoreJSON{ID: r.ID, Status: r.Status, RestoreTimestamp: stamp(r.Started), CompletedAt: stampOpt(r.Completed)}
	if withBackup {
		v.BackupID = r.BackupID
	}
	return v
}
