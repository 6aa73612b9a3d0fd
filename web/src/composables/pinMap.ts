// A Leaflet map on which one pin marks where something is (no tile server: the caller styles
// the background and draws its own layers). A click places the pin, the pin can be dragged,
// pinCentre() places it from the keyboard, locate() uses the device. The pin is the caller's
// v-model: `value()` reads it, `set()` writes it (rounded to 1e-6°, about 0.1 m).
// Used by the location map of the web forms and by the grid worker app's map.
import { onBeforeUnmount, onMounted, ref, type Ref } from 'vue'
import * as L from 'leaflet'
import 'leaflet/dist/leaflet.css'

export type Pin = { lat: number; lon: number }

// Demo county seat (柞水县城), until the caller says where to look.
export const FALLBACK_CENTRE: [number, number] = [33.6862, 109.1138]

export interface PinMapOptions {
  el: Ref<HTMLElement | undefined>
  value: () => Pin | null
  set: (p: Pin) => void
  title: () => string // the marker's accessible name
  locateFailed: (msg: string) => string // the message when the device cannot say where it is
  zoom?: number
  onReady?: (map: L.Map) => void
}

const icon = L.divIcon({ className: 'gj-pin', html: '<span></span>', iconSize: [28, 28], iconAnchor: [14, 28] })
const round6 = (v: number) => Math.round(v * 1e6) / 1e6

export function usePinMap(o: PinMapOptions) {
  let map: L.Map | null = null
  let marker: L.Marker | null = null
  const locating = ref(false)
  const locateError = ref<string | null>(null)

  function set(lat: number, lon: number, pan = false) {
    o.set({ lat: round6(lat), lon: round6(lon) })
    if (pan) map?.panTo([lat, lon])
  }
  // Puts the marker where the caller's pin is (or removes it).
  function placeMarker() {
    if (!map) return
    const v = o.value()
    if (!v) {
      marker?.remove()
      marker = null
    } else if (!marker) {
      marker = L.marker([v.lat, v.lon], { icon, draggable: true, keyboard: true, title: o.title() }).addTo(map)
      marker.on('dragend', () => {
        const p = marker!.getLatLng()
        set(p.lat, p.lng)
      })
    } else marker.setLatLng([v.lat, v.lon])
  }
  function pinCentre() {
    if (!map) return
    const c = map.getCenter()
    set(c.lat, c.lng)
  }
  function locate() {
    locateError.value = null
    if (!navigator.geolocation) {
      locateError.value = o.locateFailed('geolocation')
      return
    }
    locating.value = true
    navigator.geolocation.getCurrentPosition(
      (p) => {
        locating.value = false
        set(p.coords.latitude, p.coords.longitude, true)
      },
      (e) => {
        locating.value = false
        locateError.value = o.locateFailed(e.message)
      },
      { timeout: 15000, enableHighAccuracy: true, maximumAge: 60000 },
    )
  }

  let resize: ResizeObserver | null = null
  onMounted(() => {
    if (!o.el.value) return
    map = L.map(o.el.value, { zoomSnap: 0.5, keyboard: true, attributionControl: false }).setView(FALLBACK_CENTRE, o.zoom ?? 15)
    map.on('click', (e: L.LeafletMouseEvent) => set(e.latlng.lat, e.latlng.lng))
    // A form shown after a hidden step (v-show) gives the map its real size only then.
    resize = new ResizeObserver(() => map?.invalidateSize())
    resize.observe(o.el.value)
    o.onReady?.(map)
    placeMarker()
  })
  onBeforeUnmount(() => {
    resize?.disconnect()
    map?.remove()
    map = null
    marker = null
  })

  return { map: () => map, placeMarker, pinCentre, locate, locating, locateError }
}
